using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NUnit.Framework;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Integration;

/// <summary>The built server as a child process: started from the command line, driven over TCP, stopped with SIGTERM.</summary>
[CancelAfter(TestTimeouts.Test)]
public partial class ProcessTests
{
    private static string ServerDll => Path.Combine(TestContext.CurrentContext.TestDirectory, "TcpChat.Server.dll");

    private static string StorePath(string dataDir) => Path.Combine(dataDir, "tcpchat.db");

    private static Process Start(string dataDir, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add($"--DevAuth:DataPath={Path.Combine(dataDir, "devauth.json")}");
        info.ArgumentList.Add($"--Store:Path={StorePath(dataDir)}");
        info.Environment["TCPCHAT_DevAuth__PasswordHashIterations"] = "1000";
        return Process.Start(info)!;
    }

    [Test]
    public async Task SigtermTellsEveryClientAndExitsZero()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0", "--Chat:MessagesPerSecond=0");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            int port = await ReadListeningPortAsync(process);
            await using var alice = await ChatTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await alice.SendAsync($"SIGNUP {ChatServerFixture.NewEmail("proc")} process-password");
            await alice.ExpectNextAsync("OK AUTH ");
            await alice.ExpectNextAsync("OK JOIN #lobby");
            await using var bob = await ChatTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await bob.SendAsync($"SIGNUP {ChatServerFixture.NewEmail("proc")} process-password");
            await bob.ExpectNextAsync("OK AUTH ");
            await alice.ExpectAsync("#lobby * ");
            await bob.SendAsync("hello from a process");
            await alice.ExpectAsync("#lobby ");

            Assert.That(Kill(process.Id, Sigterm), Is.Zero, "kill(SIGTERM)");

            foreach (var client in new[] { alice, bob })
            {
                var lines = await client.ReadUntilClosedAsync();
                Assert.That(lines, Has.Count.GreaterThanOrEqualTo(2));
                Assert.That(lines[^2], Is.EqualTo("* server shutting down"));
                Assert.That(lines[^1], Does.StartWith("ERR SHUTTING_DOWN "));
            }

            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            Assert.That(process.ExitCode, Is.Zero, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Test]
    public async Task NicksTopicsBansAndHistorySurviveARestart()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        string[] args = ["--Chat:Port=0", "--DevAuth:Port=0", "--Chat:MessagesPerSecond=0"];
        string alice = ChatServerFixture.NewEmail("keep");
        string bob = ChatServerFixture.NewEmail("keep");
        string queen = "q" + Guid.NewGuid().ToString("N")[..10];
        string room = "#r" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            using (var first = Start(dataDir, args))
            {
                var endPoint = new IPEndPoint(IPAddress.Loopback, await ReadListeningPortAsync(first));
                await using var a = await ChatTestClient.ConnectAsync(endPoint);
                await a.SendAsync($"SIGNUP {alice} process-password");
                await a.ExpectAsync("OK JOIN #lobby");
                await using var b = await ChatTestClient.ConnectAsync(endPoint);
                await b.SendAsync($"SIGNUP {bob} process-password");
                b.Nick = (await b.ExpectNextAsync("OK AUTH "))["OK AUTH ".Length..];
                foreach (var (line, answer) in new[] { ($"/nick {queen}", "OK NICK"), ($"/join {room}", "OK JOIN"), ("/topic kept", "OK TOPIC"), ("said before", null), ("/ban " + b.Nick, "OK BAN") })
                {
                    await a.SendAsync(line);
                    if (answer is not null)
                    {
                        await a.ExpectAsync(answer);
                    }
                }

                Assert.That(Kill(first.Id, Sigterm), Is.Zero, "kill(SIGTERM)");
                await first.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            }

            using var second = Start(dataDir, args);
            try
            {
                var endPoint = new IPEndPoint(IPAddress.Loopback, await ReadListeningPortAsync(second));
                await using var a = await ChatTestClient.ConnectAsync(endPoint);
                await a.SendAsync($"AUTH {alice} process-password");
                Assert.That(await a.ExpectNextAsync("OK AUTH "), Is.EqualTo("OK AUTH " + queen));
                await a.ExpectNextAsync("OK JOIN #lobby");
                await a.SendAsync($"/join {room}");
                await a.ExpectNextAsync("OK JOIN " + room);
                Assert.That(await a.ReadLineAsync(), Is.EqualTo($"{room} * topic: kept"));
                await a.SendAsync("/history");
                Assert.That(await a.ExpectAsync("HIST "), Does.EndWith($"{queen}: said before"));
                Assert.That(await a.ExpectNextAsync("OK HISTORY "), Is.EqualTo($"OK HISTORY {room} 1"));
                await a.SendAsync("/bans");
                var (bans, ok) = await a.ReadListingAsync("OK BANS");
                Assert.That(ok, Is.EqualTo($"OK BANS {room} 1"));
                Assert.That(bans, Has.Count.EqualTo(1));

                await using var b = await ChatTestClient.ConnectAsync(endPoint);
                await b.SendAsync($"AUTH {bob} process-password");
                await b.ExpectAsync("OK JOIN #lobby");
                await b.SendAsync($"/join {room}");
                await b.ExpectAsync("ERR BANNED ");
                await a.SendAsync("/quit");
                await a.ExpectAsync("OK BYE");
                await b.SendAsync($"/nick {queen}");
                await b.ExpectAsync($"ERR NICK_TAKEN {queen}");
            }
            finally
            {
                if (!second.HasExited)
                {
                    second.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Test]
    public async Task ABadSettingStopsStartWithOneLineNamingTheKey()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, "--Chat:Port=70000");
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        Assert.That(process.ExitCode, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("Chat:Port"));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task AnInvalidSupabaseUrlFoundAtStartIsAlsoOneLine()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, "--Supabase:Url=not-a-url", "--Chat:Port=0");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.StartWith("tcpchat: cannot start: Supabase:Url"));
        Assert.That(await stdout, Does.Not.Contain("   at "), "no stack trace");
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task ACorruptStoreFileStopsStartWithOneLineNamingIt()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        byte[] garbage = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not a database, just text. ", 200)));
        await File.WriteAllBytesAsync(StorePath(dataDir), garbage);
        using var process = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith($"tcpchat: cannot start: store file {StorePath(dataDir)} is not a SQLite database or is corrupt"));
        Assert.That(await stdout, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(await File.ReadAllBytesAsync(StorePath(dataDir)), Is.EqualTo(garbage), "the file is left as it was");
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task ASecondServerOnTheSameStoreFileIsRefusedWithOneLine()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var first = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0");
        var firstErrors = first.StandardError.ReadToEndAsync();
        try
        {
            await ReadListeningPortAsync(first);
            using var second = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0");
            var stdout = second.StandardOutput.ReadToEndAsync();
            string stderr = await second.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
            await second.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            Assert.That(second.ExitCode, Is.EqualTo(2));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith($"tcpchat: cannot start: store file {StorePath(dataDir)} is in use by another TcpChat process"));
            Assert.That(await stdout, Does.Not.Contain("   at "), "no stack trace");

            Assert.That(Kill(first.Id, Sigterm), Is.Zero, "kill(SIGTERM)");
            await first.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            Assert.That(first.ExitCode, Is.Zero, await firstErrors);
        }
        finally
        {
            if (!first.HasExited)
            {
                first.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Test]
    public async Task HelpPrintsTheOptions()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, "--help");
        string stdout = await process.StandardOutput.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        Assert.That(process.ExitCode, Is.Zero);
        Assert.That(stdout, Does.Contain("--Chat:Port=7878").And.Contain("--Supabase:Url").And.Contain("--DevAuth:Port=54321"));
        Directory.Delete(dataDir, recursive: true);
    }

    private static async Task<int> ReadListeningPortAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TestTimeouts.Default) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep draining stdout so the child never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync();
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Assert.Fail("the server exited before listening");
        return 0;
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"Listening on 127\.0\.0\.1:(\d+) \(plaintext\)")]
    private static partial Regex ListeningLine();
}
