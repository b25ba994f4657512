using NUnit.Framework;
using TcpChat.Server.Protocol;

namespace TcpChat.Tests.Unit;

public class SmokeTests
{
    [Test]
    public void ErrorCodesAreUpperSnakeCase() => Assert.That(ErrorCodes.SlowConsumer, Does.Match("^[A-Z_]+$"));
}
