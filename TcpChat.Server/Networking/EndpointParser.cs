using System.Globalization;
using System.Net;
using TcpChat.Server.Chat;

namespace TcpChat.Server.Networking;

/// <summary>Reads the plaintext listener addresses from <c>Chat:Endpoints</c>, or <c>Chat:Host</c> and <c>Chat:Port</c>.</summary>
internal static class EndpointParser
{
    public static IReadOnlyList<IPEndPoint> Parse(ChatOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Endpoints))
        {
            return [new IPEndPoint(ParseAddress(options.Host), options.Port)];
        }

        var result = new List<IPEndPoint>();
        foreach (var item in options.Endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPEndPoint.TryParse(item, out var endPoint) || !item.Contains(':', StringComparison.Ordinal) || endPoint.Port == 0 && !item.EndsWith(":0", StringComparison.Ordinal))
            {
                throw new FormatException($"Chat:Endpoints: '{item}' is not host:port (e.g. 127.0.0.1:7878 or [::1]:7878)");
            }

            result.Add(endPoint);
        }

        return result;
    }

    public static IPAddress ParseAddress(string host) => host.ToLowerInvariant() switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "any" => IPAddress.Any,
        _ => IPAddress.TryParse(host, out var address)
            ? address
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Chat:Host: '{host}' is not an IP address")),
    };
}
