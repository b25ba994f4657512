using Microsoft.Extensions.Options;
using TcpChat.Server.Chat;
using TcpChat.Server.Networking;

namespace TcpChat.Server.Hosting;

/// <summary>Rules of <see cref="ChatOptions"/> that span fields or need parsing; each failure names its key.</summary>
internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        var failures = new List<string>();
        if (!RoomRegistry.TryNormalize(options.DefaultRoom, out _))
        {
            failures.Add($"Chat:DefaultRoom: '{options.DefaultRoom}' is not a room name (1-32 of a-z 0-9 _ - after #)");
        }

        if (options.OutboxHardBytes < options.OutboxBytes)
        {
            failures.Add($"Chat:OutboxHardBytes: {options.OutboxHardBytes} is below Chat:OutboxBytes ({options.OutboxBytes})");
        }

        if (!string.IsNullOrWhiteSpace(options.Endpoints))
        {
            try
            {
                _ = EndpointParser.Parse(options);
            }
            catch (FormatException ex)
            {
                failures.Add(ex.Message);
            }
        }

        var tls = options.Tls;
        if (tls.Port is < 0 or > 65535)
        {
            failures.Add("Chat:Tls:Port: must be 0-65535");
        }

        if (tls.Enabled)
        {
            if (!File.Exists(tls.CertificatePath))
            {
                failures.Add($"Chat:Tls:CertificatePath: no such file: {tls.CertificatePath}");
            }

            if (string.IsNullOrWhiteSpace(tls.KeyPath))
            {
                failures.Add("Chat:Tls:KeyPath: required with Chat:Tls:CertificatePath (the certificate's PEM private key)");
            }
            else if (!File.Exists(tls.KeyPath))
            {
                failures.Add($"Chat:Tls:KeyPath: no such file: {tls.KeyPath}");
            }
        }
        else if (!string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            failures.Add("Chat:Tls:CertificatePath: required when Chat:Tls:KeyPath is set");
        }

        if (options.RequireTlsForRemoteLogin && !tls.Enabled)
        {
            failures.Add("Chat:RequireTlsForRemoteLogin: needs a TLS listener (Chat:Tls:CertificatePath and Chat:Tls:KeyPath)");
        }

        if (options.MaxConnectionsPerAddress > options.MaxConnections)
        {
            failures.Add("Chat:MaxConnectionsPerAddress: must not exceed Chat:MaxConnections");
        }

        if (options.HistoryBytesPerRoom < options.MaxLineBytes)
        {
            failures.Add("Chat:HistoryBytesPerRoom: must be at least Chat:MaxLineBytes, so any accepted line fits a room's history");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
