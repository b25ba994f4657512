namespace TcpChat.Server.Hosting;

/// <summary>Builds and runs the Generic Host; shared by Program and the in-process tests.</summary>
internal static class ChatHost
{
    public static Task<int> RunAsync(string[] args)
    {
        _ = args;
        return Task.FromResult(0);
    }
}
