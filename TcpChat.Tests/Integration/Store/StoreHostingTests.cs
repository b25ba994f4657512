using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.Server.Hosting;
using TcpChat.Server.Store;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration.Store;

/// <summary>The store inside the real host: opened before the chat starts, flushed and closed after it stops.</summary>
[CancelAfter(TestTimeouts.Test)]
public class StoreHostingTests
{
    private static IHost Build(string directory, params string[] settings)
    {
        var builder = ChatHost.CreateBuilder([
            "--Chat:Port=0",
            "--DevAuth:Port=0",
            $"--DevAuth:DataPath={Path.Combine(directory, "devauth.json")}",
            $"--Store:Path={Path.Combine(directory, "tcpchat.db")}",
            .. settings.Select(s => "--" + s),
        ]);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new NUnitLoggerProvider());
        return builder.Build();
    }

    [Test]
    public async Task TheHostOpensTheStoreAtStartAndWritesEveryLineAtStop(CancellationToken ct)
    {
        string directory = Directory.CreateTempSubdirectory("tcpchat-store-host").FullName;
        try
        {
            using (var host = Build(directory, "Chat:HistorySize=7"))
            {
                await host.StartAsync(ct);
                var store = host.Services.GetRequiredService<IChatStore>();
                Assert.That(store.IsOpen, Is.True, "open once the host has started");
                await store.EnsureRoomAsync("#den", "acct-a", ct);
                for (int i = 0; i < 10; i++)
                {
                    store.AppendHistory("#den", new HistoryLine(DateTimeOffset.UtcNow, "alice", $"line {i}"));
                }

                await host.StopAsync(ct);
                Assert.That(store.IsOpen, Is.False, "closed once the host has stopped");
            }

            await using var reopened = new SqliteChatStore(new StoreOptions { Path = Path.Combine(directory, "tcpchat.db") },
                StoreLimits.Default, TimeProvider.System, NullLogger<SqliteChatStore>.Instance);
            await reopened.OpenAsync(ct);
            var lines = await reopened.ReadHistoryAsync("#den", 100, ct);
            Assert.That(lines.Select(l => l.Text), Is.EqualTo(Enumerable.Range(3, 7).Select(i => $"line {i}")), "Chat:HistorySize bounds the stored lines");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("Store:FlushInterval=00:00:05", "Store:FlushInterval")]
    [TestCase("Store:Path= ", "Store:Path")]
    [TestCase("Chat:HistoryBytesPerRoom=2000", "Chat:HistoryBytesPerRoom: must be at least Chat:MaxLineBytes")]
    [TestCase("Chat:RoomRetention=-1.00:00:00", "Chat:RoomRetention")]
    [TestCase("Chat:MaxOwnedRoomsPerAccount=-1", "Chat:MaxOwnedRoomsPerAccount")]
    public async Task ABadStoreSettingStopsTheStartNamingTheKey(string setting, string expected)
    {
        string directory = Directory.CreateTempSubdirectory("tcpchat-store-host").FullName;
        try
        {
            // Chat settings already fail at Build (the host's shutdown timeout reads them), Store settings at start.
            var error = (await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            {
                using var host = Build(directory, setting);
                await host.StartAsync();
            }))!;
            Assert.That(ChatHost.Describe(error), Does.Contain(expected));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
