using System.Net.Sockets;
using NUnit.Framework;
using TcpChat.Server.Networking;

namespace TcpChat.Tests.Unit.Networking;

/// <summary>"The client left" is decided from specific socket error codes; anything else is a fault, logged as an error.</summary>
public class DisconnectsTests
{
    [TestCase(SocketError.ConnectionReset)]
    [TestCase(SocketError.ConnectionAborted)]
    [TestCase(SocketError.Shutdown)]
    [TestCase(SocketError.OperationAborted)]
    [TestCase(SocketError.Interrupted)]
    [TestCase(SocketError.NotConnected)]
    [TestCase(SocketError.TimedOut)]
    public void APeerThatLeftIsNotAFault(SocketError error)
    {
        Assert.That(Disconnects.IsClientGone(new SocketException((int)error)), Is.True, "a SocketException");
        Assert.That(Disconnects.IsClientGone(new IOException("write failed", new SocketException((int)error))), Is.True, "as a stream reports it");
    }

    [TestCase(SocketError.NoBufferSpaceAvailable)]
    [TestCase(SocketError.AccessDenied)]
    [TestCase(SocketError.TooManyOpenSockets)]
    [TestCase(SocketError.SocketError)]
    public void OtherSocketErrorsAreFaults(SocketError error)
    {
        Assert.That(Disconnects.IsClientGone(new SocketException((int)error)), Is.False);
        Assert.That(Disconnects.IsClientGone(new IOException("write failed", new SocketException((int)error))), Is.False);
    }

    [Test]
    public void CancellationAndDisposalAreOurOwnClose()
    {
        Assert.That(Disconnects.IsClientGone(new OperationCanceledException()), Is.True);
        Assert.That(Disconnects.IsClientGone(new ObjectDisposedException("socket")), Is.True);
    }

    [Test]
    public void BugsAreFaults()
    {
        Assert.That(Disconnects.IsClientGone(new InvalidOperationException("a bug")), Is.False);
        Assert.That(Disconnects.IsClientGone(new IOException("disk")), Is.False);
        Assert.That(Disconnects.IsClientGone(new FormatException()), Is.False);
    }
}
