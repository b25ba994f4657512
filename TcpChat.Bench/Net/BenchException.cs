namespace TcpChat.Bench.Net;

/// <summary>A scenario cannot go on (a login was refused, the server closed, a deadline passed).</summary>
internal sealed class BenchException(string message) : Exception(message)
{
    public BenchException()
        : this("bench failed")
    {
    }

    public BenchException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}
