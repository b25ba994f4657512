using TcpChat.Bench.Net;

namespace TcpChat.Bench.Scenarios;

/// <summary>Creates accounts through the embedded endpoint's REST API before a measured phase.</summary>
internal static class Users
{
    public static async Task CreateAsync(BenchOptions options, int count, CancellationToken cancellationToken)
    {
        using var devAuth = new DevAuthClient(options.DevAuth, options.ApiKey);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, ct) =>
            await devAuth.SignUpAsync(ChatClients.Email(options, i), ChatClients.Password, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task<string[]> GetTokensAsync(BenchOptions options, int count, CancellationToken cancellationToken)
    {
        using var devAuth = new DevAuthClient(options.DevAuth, options.ApiKey);
        var tokens = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, ct) =>
            tokens[i] = await devAuth.GetAccessTokenAsync(ChatClients.Email(options, i), ChatClients.Password, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return tokens;
    }
}
