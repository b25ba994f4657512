namespace TcpChat.Tests.Infrastructure;

public static class TestTimeouts
{
    /// <summary>How long any single expected event may take. Generous: CI machines are shared and noisy.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    /// <summary>For [CancelAfter]: a whole test, in milliseconds.</summary>
    public const int Test = 60_000;
}
