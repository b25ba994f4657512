namespace TcpChat.Server.Store;

/// <summary>One chat line of a room's history, as <c>/history</c> shows it.</summary>
internal sealed record HistoryLine(DateTimeOffset At, string Nick, string Text);
