using System.Buffers;
using NUnit.Framework;
using TcpChat.Server.Networking;

namespace TcpChat.Tests.Unit.Networking;

public class TelnetFilterTests
{
    private const byte Iac = 0xFF;

    private static (byte[] Output, byte[] Answers) Filter(ref TelnetState state, params byte[] input)
    {
        var output = new byte[input.Length];
        var answers = new ArrayBufferWriter<byte>();
        int length = TelnetFilter.Filter(input, output, ref state, answers, "AYT"u8);
        return (output[..length], answers.WrittenSpan.ToArray());
    }

    private static (byte[] Output, byte[] Answers) Filter(params byte[] input)
    {
        var state = default(TelnetState);
        return Filter(ref state, input);
    }

    [Test]
    public void RemovesOptionNegotiation() =>
        Assert.That(Filter(Iac, 0xFB, 0x01, (byte)'h', Iac, 0xFD, 0x03, (byte)'i').Output, Is.EqualTo("hi"u8.ToArray()));

    [Test]
    public void RemovesSubnegotiationUpToIacSe() =>
        Assert.That(Filter((byte)'a', Iac, 0xFA, 0x18, 0x00, (byte)'x', (byte)'y', Iac, 0xF0, (byte)'b').Output, Is.EqualTo("ab"u8.ToArray()));

    [Test]
    public void RemovesTwoByteCommands() =>
        Assert.That(Filter((byte)'a', Iac, 0xF1, (byte)'b', Iac, 0xF6).Output, Is.EqualTo("ab"u8.ToArray()));

    [Test]
    public void IacIacIsALiteralFf() => Assert.That(Filter((byte)'a', Iac, Iac, (byte)'b').Output, Is.EqualTo(new byte[] { (byte)'a', Iac, (byte)'b' }));

    [Test]
    public void DropsLoneCrAndCrNulWhenTheLineIsDecoded() =>
        Assert.That(LineDecoder.Decode(new ReadOnlySequence<byte>([(byte)'a', 0x0D, 0x00, (byte)'b', 0x0D, (byte)'c'])), Is.EqualTo("abc"));

    [Test]
    public void ADanglingIacAtTheEndIsDropped() => Assert.That(Filter((byte)'a', Iac).Output, Is.EqualTo("a"u8.ToArray()));

    [Test]
    public void ACommandSplitAcrossReadsIsStillRemoved()
    {
        var state = default(TelnetState);
        var first = Filter(ref state, (byte)'a', Iac);
        var second = Filter(ref state, 0xFD, 0x18, (byte)'b');
        Assert.That(first.Output.Concat(second.Output), Is.EqualTo("ab"u8.ToArray()));
        Assert.That(second.Answers, Is.EqualTo(new byte[] { Iac, 0xFC, 0x18 }));
    }

    [Test]
    public void CtrlCsTimingMarkIsConfirmedEveryTime()
    {
        // telnet's Ctrl-C: IAC IP IAC DO TIMING-MARK, then it discards our output until the mark is answered.
        var state = default(TelnetState);
        Assert.That(Filter(ref state, Iac, 0xF4, Iac, 0xFD, 0x06), Is.EqualTo((Array.Empty<byte>(), new byte[] { Iac, 0xFB, 0x06 })));
        Assert.That(Filter(ref state, Iac, 0xF4, Iac, 0xFD, 0x06).Answers, Is.EqualTo(new byte[] { Iac, 0xFB, 0x06 }));
    }

    [Test]
    public void OptionsAreRefusedOnceUntilTheClientChangesItsMind()
    {
        var state = default(TelnetState);
        // DO ECHO, DO SUPPRESS-GO-AHEAD, WILL NAWS, WILL TERMINAL-TYPE: WONT, WONT, DONT, DONT.
        Assert.That(
            Filter(ref state, Iac, 0xFD, 0x01, Iac, 0xFD, 0x03, Iac, 0xFB, 0x1F, Iac, 0xFB, 0x18).Answers,
            Is.EqualTo(new byte[] { Iac, 0xFC, 0x01, Iac, 0xFC, 0x03, Iac, 0xFE, 0x1F, Iac, 0xFE, 0x18 }));
        Assert.That(Filter(ref state, Iac, 0xFD, 0x01, Iac, 0xFB, 0x1F).Answers, Is.Empty, "asked again without a change: no answer, no loop");
        Assert.That(Filter(ref state, Iac, 0xFE, 0x01, Iac, 0xFC, 0x1F).Answers, Is.Empty, "DONT and WONT are never answered");
        Assert.That(Filter(ref state, Iac, 0xFD, 0x01).Answers, Is.EqualTo(new byte[] { Iac, 0xFC, 0x01 }), "after a DONT, a new DO is a new request");
    }

    [Test]
    public void AreYouThereIsAnsweredOncePerRead() =>
        Assert.That(Filter(Iac, 0xF6, Iac, 0xF6), Is.EqualTo((Array.Empty<byte>(), "AYT"u8.ToArray())));

    [Test]
    public void DataMarkAndAnIacBeforeTextAreDropped()
    {
        // send synch: IAC DM (urgent). An IAC before a byte that is no command drops only the IAC.
        Assert.That(Filter(Iac, 0xF2, (byte)'h', (byte)'i').Output, Is.EqualTo("hi"u8.ToArray()));
        Assert.That(Filter(Iac, (byte)'h', (byte)'i').Output, Is.EqualTo("hi"u8.ToArray()));
    }
}
