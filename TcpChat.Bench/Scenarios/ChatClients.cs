using System.Net;
using System.Text;
using TcpChat.Bench.Net;

namespace TcpChat.Bench.Scenarios;

/// <summary>Opens clients, logs them in and puts them all in one room (or, raw, proves the relay knows them all).</summary>
internal static class ChatClients
{
    public const string Room = "#bench";
    public const string Password = "bench-pass-1";

    public static string Email(BenchOptions options, int index) => $"b{options.RunId}x{index}@bench.local";

    /// <summary>Source address for client <paramref name="index"/>: 127.0.0.2, .3, … every <paramref name="perAddress"/> clients; null = the default.</summary>
    public static IPAddress? Source(int index, int perAddress) =>
        perAddress <= 0 ? null : new IPAddress([127, 0, (byte)((2 + (index / perAddress)) / 256), (byte)((2 + (index / perAddress)) % 256)]);

    /// <summary>Connects <paramref name="count"/> clients (<c>--concurrency</c> at a time), logged in and in <see cref="Room"/>.</summary>
    public static async Task<BenchConnection[]> OpenRoomAsync(BenchOptions options, int count, int bufferSize, CancellationToken cancellationToken)
    {
        var clients = new BenchConnection[count];
        int concurrency = options.Int("concurrency", 64);
        string login = options.Text("login", "SIGNUP");
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var client = await BenchConnection.ConnectAsync(options.Server, null, bufferSize, ct).ConfigureAwait(false);
            clients[i] = client;
            if (!options.Raw)
            {
                await LogInAsync(client, login + " " + Email(options, i) + " " + Password, ct).ConfigureAwait(false);
                await client.SendLineAsync("/join " + Room, ct).ConfigureAwait(false);
                await client.ExpectAsync("OK JOIN " + Room, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        if (options.Raw)
        {
            await ProbeRelayAsync(clients, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await clients[0].SendLineAsync("/who " + Room, cancellationToken).ConfigureAwait(false);
            string who = await clients[0].ExpectAsync("OK WHO ", cancellationToken).ConfigureAwait(false);
            if (!who.EndsWith(" " + count, StringComparison.Ordinal))
            {
                throw new BenchException($"expected {count} members, server says '{who}'");
            }
        }

        return clients;
    }

    /// <summary>Greeting, the login line, then <c>OK AUTH</c> and the default room's <c>OK JOIN</c>.</summary>
    public static async Task LogInAsync(BenchConnection client, string loginLine, CancellationToken cancellationToken)
    {
        await client.ExpectAsync("* tcpchat", cancellationToken).ConfigureAwait(false);
        await client.SendLineAsync(loginLine, cancellationToken).ConfigureAwait(false);
        await client.ExpectAsync("OK AUTH ", cancellationToken).ConfigureAwait(false);
        await client.ExpectAsync("OK JOIN ", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A relay has no /who: client 0 sends a probe line until every other client has seen one, which proves the relay
    /// has accepted them all. Late probes reach the measured phase and are ignored there (not a bench message).
    /// </summary>
    private static async Task ProbeRelayAsync(BenchConnection[] clients, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        byte[] probe = Encoding.ASCII.GetBytes("probe\n");
        var prober = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await clients[0].SendAsync(probe, cancellationToken).ConfigureAwait(false);
                await Task.Delay(50, done.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, cancellationToken);
        await Parallel.ForEachAsync(clients.Skip(1), cancellationToken, async (client, ct) =>
            await client.ExpectAsync("probe", ct).ConfigureAwait(false)).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        await prober.ConfigureAwait(false);
    }
}
