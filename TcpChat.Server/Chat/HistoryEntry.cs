namespace TcpChat.Server.Chat;

/// <summary>One chat line kept for <c>/history</c>.</summary>
internal sealed record HistoryEntry(DateTimeOffset At, string Nick, string Text);
