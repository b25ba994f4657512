using System.Net;
using System.Text;
using TcpChat.Server.Chat;

namespace TcpChat.Tests.Unit.Chat;

/// <summary>An <see cref="ISessionOutput"/> that keeps what a session was sent, as text, instead of writing to a socket.</summary>
internal sealed class FakeOutput : ISessionOutput
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private int _taken;

    /// <summary>Every line received, with its line ending, in order (final lines included).</summary>
    public List<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public bool Closed { get; private set; }

    /// <summary>The lines received since the last call, without their line endings.</summary>
    public List<string> TakeNew()
    {
        lock (_gate)
        {
            var lines = _lines.Skip(_taken).Select(l => l.TrimEnd('\n')).ToList();
            _taken = _lines.Count;
            return lines;
        }
    }

    public IPAddress RemoteAddress { get; init; } = IPAddress.Loopback;

    public bool IsTls { get; init; }

    public bool IsSlowConsumer => false;

    /// <summary>A session over a new fake output; no line rate limit unless <paramref name="options"/> sets one.</summary>
    public static ChatSession Session(long id, ChatOptions? options = null) =>
        new(id, new FakeOutput(), options ?? new ChatOptions { MessagesPerSecond = 0 });

    public void Send(byte[] line)
    {
        lock (_gate)
        {
            if (!Closed)
            {
                _lines.Add(Encoding.UTF8.GetString(line));
            }
        }
    }

    public void SendDeferred(byte[] line) => Send(line);

    public void CloseWith(params byte[][] finalLines)
    {
        lock (_gate)
        {
            if (Closed)
            {
                return;
            }

            _lines.AddRange(finalLines.Select(l => Encoding.UTF8.GetString(l)));
            Closed = true;
        }
    }
}

/// <summary>Test-side view of a session's fake output.</summary>
internal static class FakeSessionExtensions
{
    extension(ChatSession session)
    {
        /// <summary>What the session's <see cref="FakeOutput"/> received.</summary>
        public List<string> Received => ((FakeOutput)session.Output).Lines;

        /// <summary>What the session received since this was last read, without line endings.</summary>
        public List<string> New => ((FakeOutput)session.Output).TakeNew();
    }
}
