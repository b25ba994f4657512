using NUnit.Framework;
using TcpChat.Server.Networking;

namespace TcpChat.Tests.Unit.Networking;

public class TelnetFilterTests
{
    private static byte[] Filter(params byte[] input)
    {
        var output = new byte[input.Length];
        return output[..TelnetFilter.Filter(input, output)];
    }

    [Test]
    public void RemovesOptionNegotiation() =>
        Assert.That(Filter(0xFF, 0xFB, 0x01, (byte)'h', 0xFF, 0xFD, 0x03, (byte)'i'), Is.EqualTo("hi"u8.ToArray()));

    [Test]
    public void RemovesSubnegotiationUpToIacSe() =>
        Assert.That(Filter((byte)'a', 0xFF, 0xFA, 0x18, 0x00, (byte)'x', (byte)'y', 0xFF, 0xF0, (byte)'b'), Is.EqualTo("ab"u8.ToArray()));

    [Test]
    public void RemovesTwoByteCommands() =>
        Assert.That(Filter((byte)'a', 0xFF, 0xF1, (byte)'b', 0xFF, 0xF6), Is.EqualTo("ab"u8.ToArray()));

    [Test]
    public void IacIacIsALiteralFf() => Assert.That(Filter((byte)'a', 0xFF, 0xFF, (byte)'b'), Is.EqualTo(new byte[] { (byte)'a', 0xFF, (byte)'b' }));

    [Test]
    public void DropsLoneCrAndCrNul() => Assert.That(Filter((byte)'a', 0x0D, 0x00, (byte)'b', 0x0D, (byte)'c'), Is.EqualTo("abc"u8.ToArray()));

    [Test]
    public void ADanglingIacAtTheEndIsDropped() => Assert.That(Filter((byte)'a', 0xFF), Is.EqualTo("a"u8.ToArray()));

    [Test]
    public void PlainTextNeedsNoFiltering() => Assert.That(TelnetFilter.NeedsFiltering("hello world"u8), Is.False);
}
