using System.Buffers;
using System.Text;
using NUnit.Framework;
using TcpChat.Server.Networking;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Unit.Networking;

public class LineFramerTests
{
    private static List<string> Frame(ref LineFramer framer, ReadOnlySequence<byte> buffer, out long left)
    {
        var lines = new List<string>();
        while (true)
        {
            var result = framer.Next(ref buffer, out var line);
            if (result == FrameResult.NeedMore)
            {
                break;
            }

            lines.Add(result == FrameResult.TooLong ? "<too long>" : Encoding.UTF8.GetString(line));
        }

        left = buffer.Length;
        return lines;
    }

    [Test]
    public void SplitsLinesAcrossSegmentsAndDropsCrBeforeLf()
    {
        var framer = new LineFramer(4096);
        var bytes = Encoding.UTF8.GetBytes("hello\r\nworld\npartial");
        var lines = Frame(ref framer, TestSequence.Split(bytes, 3, 6, 9), out long left);
        Assert.That(lines, Is.EqualTo(new[] { "hello", "world" }));
        Assert.That(left, Is.EqualTo("partial".Length));
    }

    [Test]
    public void KeepsALoneCrInsideTheLineForTheTelnetFilter()
    {
        var framer = new LineFramer(4096);
        var lines = Frame(ref framer, TestSequence.Create(Encoding.ASCII.GetBytes("a\rb\r\r\n")), out _);
        Assert.That(lines, Is.EqualTo(new[] { "a\rb\r" }));
    }

    [Test]
    public void ALineOfExactlyTheLimitIsAccepted()
    {
        var framer = new LineFramer(10);
        var lines = Frame(ref framer, TestSequence.Create(Encoding.ASCII.GetBytes(new string('x', 10) + "\r\n")), out _);
        Assert.That(lines, Is.EqualTo(new[] { new string('x', 10) }));
    }

    [Test]
    public void ACompleteLineOverTheLimitIsReportedOnce()
    {
        var framer = new LineFramer(10);
        var lines = Frame(ref framer, TestSequence.Create(Encoding.ASCII.GetBytes(new string('x', 11) + "\nok\n")), out _);
        Assert.That(lines, Is.EqualTo(new[] { "<too long>", "ok" }));
    }

    [Test]
    public void AnEndlessLineIsDiscardedAsItArrivesAndFramingResumesAfterItsLf()
    {
        var framer = new LineFramer(16);
        var lines = new List<string>();
        // Feed 1 MB in 1 KB reads: nothing may be kept between reads.
        for (int i = 0; i < 1024; i++)
        {
            lines.AddRange(Frame(ref framer, TestSequence.Create(new byte[1024].Select(_ => (byte)'y').ToArray()), out long left));
            Assert.That(left, Is.Zero, "an oversized line must not be buffered");
        }

        lines.AddRange(Frame(ref framer, TestSequence.Create(Encoding.ASCII.GetBytes("tail\nnext\n")), out _));
        Assert.That(lines, Is.EqualTo(new[] { "<too long>", "next" }));
    }

    [Test]
    public void WaitsForMoreWhileAPartialLineIsWithinTheLimit()
    {
        var framer = new LineFramer(16);
        var lines = Frame(ref framer, TestSequence.Create(Encoding.ASCII.GetBytes(new string('z', 17))), out long left);
        Assert.That(lines, Is.Empty, "17 bytes may still be 16 + CR");
        Assert.That(left, Is.EqualTo(17));
    }
}
