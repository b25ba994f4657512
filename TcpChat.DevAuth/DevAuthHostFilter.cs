using System.Net;

namespace TcpChat.DevAuth;

/// <summary>
/// Which <c>Host</c> headers DevAuth answers, against DNS rebinding (a web page whose name suddenly resolves to
/// 127.0.0.1 would otherwise reach the endpoint from a browser): <c>localhost</c>, an IP literal of the bound address
/// (any loopback literal for a loopback bind, any literal for a wildcard bind), and the configured extra names.
/// </summary>
internal sealed class DevAuthHostFilter
{
    private readonly IPAddress _bound;
    private readonly HashSet<string> _names;

    public DevAuthHostFilter(IPAddress bound, string allowedHosts)
    {
        _bound = bound;
        _names = new HashSet<string>(allowedHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            StringComparer.OrdinalIgnoreCase) { "localhost" };
    }

    /// <summary><paramref name="host"/> is the header without its port (IPv6 literals keep their brackets).</summary>
    public bool Allows(string host)
    {
        if (host.Length == 0)
        {
            return false;
        }

        if (_names.Contains(host))
        {
            return true;
        }

        if (!IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return false;
        }

        if (_bound.Equals(IPAddress.Any) || _bound.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        return IPAddress.IsLoopback(_bound) ? IPAddress.IsLoopback(literal) : literal.Equals(_bound);
    }
}
