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

    private static Process Start(string dataDir, params string[] args) => Start(dataDir, new Dictionary<string, string>(), args);

    private static Process Start(string dataDir, Dictionary<string, string> environment, params string[] args)
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

        if (!args.Any(a => a.StartsWith("--DevAuth:DataPath=", StringComparison.Ordinal)))
        {
            info.ArgumentList.Add($"--DevAuth:DataPath={Path.Combine(dataDir, "devauth.json")}");
        }

        if (args is not ["devauth", ..])
        {
            info.ArgumentList.Add($"--Store:Path={StorePath(dataDir)}"); // the endpoint alone has no store (and refuses the key)
        }

        info.Environment["TCPCHAT_DevAuth__PasswordHashIterations"] = "1000";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

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
        await ExpectOneLineStartErrorAsync(process, "tcpchat: cannot start: Supabase:Url");
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task ACorruptDevAuthDataFileStopsTheStartWithOneLine()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        await File.WriteAllTextAsync(Path.Combine(dataDir, "devauth.json"), "{ not json");
        using var process = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0");
        string stderr = await ExpectOneLineStartErrorAsync(process, "tcpchat: cannot start: DevAuth data file");
        Assert.That(stderr, Does.Contain("corrupt"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(dataDir, "devauth.json")), Is.EqualTo("{ not json"), "left as it was");
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task DevAuthBeyondLoopbackWithThePublicKeysIsRefused()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0", "--DevAuth:Host=0.0.0.0");
        string stderr = await ExpectOneLineStartErrorAsync(process, "tcpchat: cannot start: DevAuth:Host");
        Assert.That(stderr, Does.Contain("DevAuth:AnonKey and DevAuth:SecretKey"));
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task ACorruptStoreFileStopsStartWithOneLineNamingIt()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        byte[] garbage = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not a database, just text. ", 200)));
        await File.WriteAllBytesAsync(StorePath(dataDir), garbage);
        using var process = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0");
        await ExpectOneLineStartErrorAsync(process, $"tcpchat: cannot start: store file {StorePath(dataDir)} is not a SQLite database or is corrupt");
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
            await ExpectOneLineStartErrorAsync(second, $"tcpchat: cannot start: store file {StorePath(dataDir)} is in use by another TcpChat process");

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
        Assert.That(stdout, Does.Contain("--DevAuth:SecretKey=sb_secret_tcpchat_devauth_local_only"));
        Directory.Delete(dataDir, recursive: true);
    }

    [TestCase(new[] { "--port", "7000" }, "", "unknown switch '--port'; did you mean --Chat:Port?")]
    [TestCase(new[] { "--frobnicate" }, "", "unknown switch '--frobnicate'")]
    [TestCase(new[] { "--Chat:Frobnicate=1" }, "", "unknown setting 'Chat:Frobnicate'")]
    [TestCase(new string[0], "TCPCHAT_Chat__MaxLineByte", "unknown setting 'Chat:MaxLineByte'; did you mean Chat:MaxLineBytes?")]
    public async Task UnknownSettingIsAOneLineStartError(string[] args, string variable, string message)
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        var environment = variable.Length == 0 ? new Dictionary<string, string>() : new() { [variable] = "100" };
        using var process = Start(dataDir, environment, ["--Chat:Port=0", "--DevAuth:Port=0", .. args]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(process.ExitCode, Is.EqualTo(2));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(stderr, Does.StartWith("tcpchat: cannot start: " + message));
            Assert.That(await stdout, Is.Empty, "nothing started");
            Assert.That(Directory.EnumerateFileSystemEntries(dataDir), Is.Empty, "no data file written");
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task KnownSettingsFromEverySourceStillStart()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, new Dictionary<string, string> { ["TCPCHAT_Chat__MaxLineBytes"] = "2048" }, "--chat:port=0", "--DevAuth:Port", "0", "--Logging:LogLevel:Default=Information");
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            int port = await ReadListeningPortAsync(process);
            Assert.That(port, Is.GreaterThan(0));
        }
        finally
        {
            Kill(process.Id, Sigterm);
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        }

        Assert.That(process.ExitCode, Is.Zero, await stderr);
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task DevAuthModeRefusesUnknownSwitches()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var process = Start(dataDir, "devauth", "--DevAuth:Prot=0");
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.StartWith("tcpchat: cannot start: ").And.Contain("unknown setting 'DevAuth:Prot'; did you mean DevAuth:Port?"));
        Directory.Delete(dataDir, recursive: true);
    }

    [Test]
    public async Task DevAuthModeStartFailuresAreOneLine()
    {
        // Before: an unhandled exception, a stack trace and exit code 134 for each of these.
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        string stderr = await ExpectOneLineStartErrorAsync(
            Start(dataDir, "devauth", $"--DevAuth:Port={port}", $"--DevAuth:DataPath={Path.Combine(dataDir, "a.json")}"),
            "tcpchat: cannot start: DevAuth:Port");
        Assert.That(stderr, Does.Contain($"127.0.0.1:{port}"));

        string corrupt = Path.Combine(dataDir, "b.json");
        await File.WriteAllTextAsync(corrupt, "{ not json");
        stderr = await ExpectOneLineStartErrorAsync(
            Start(dataDir, "devauth", "--DevAuth:Port=0", $"--DevAuth:DataPath={corrupt}"), "tcpchat: cannot start: DevAuth data file");
        Assert.That(stderr, Does.Contain("corrupt"));
        Directory.Delete(dataDir, recursive: true);
    }

    /// <summary>The process exits with code 2 after one line on stderr, and no stack trace anywhere.</summary>
    private static async Task<string> ExpectOneLineStartErrorAsync(Process process, string prefix)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        Assert.That(process.ExitCode, Is.EqualTo(2));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith(prefix));
        Assert.That(await stdout, Does.Not.Contain("   at "), "no stack trace");
        return stderr;
    }

    [Test]
    public async Task Issue13AChatPortInUseIsOneLineAndExitCode2AndWritesNoDataFile()
    {
        // Held the way the first server held it before the fix (ReuseAddress, i.e. SO_REUSEPORT on Linux): a second
        // server that asks for the same still shared the port and started.
        using var holder = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        holder.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        try
        {
            var (exitCode, stdout, stderr) = await RunToExitAsync(Start(dataDir, $"--Chat:Port={port}", "--DevAuth:Port=0"));
            Assert.That(exitCode, Is.EqualTo(2), stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith("tcpchat: cannot start: ").And.Contain($"127.0.0.1:{port}"));
            Assert.That(stdout + stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(File.Exists(Path.Combine(dataDir, "devauth.json")), Is.False, "a failed start writes no data file");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Test]
    public async Task Issue13ASecondInstanceOnTheSameDevAuthFileIsRefusedAndTheFirstKeepsItsUsers()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        string otherDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName; // its own store, the same users file
        string dataFile = Path.Combine(dataDir, "devauth.json");
        using var first = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0");
        var firstErrors = first.StandardError.ReadToEndAsync();
        try
        {
            int port = await ReadListeningPortAsync(first);
            string email = ChatServerFixture.NewEmail("first");
            await using (var alice = await ChatTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
            {
                await alice.SendAsync($"SIGNUP {email} process-password");
                await alice.ExpectNextAsync("OK AUTH ");
            }

            var (exitCode, stdout, stderr) = await RunToExitAsync(Start(otherDir, "--Chat:Port=0", "--DevAuth:Port=0", $"--DevAuth:DataPath={dataFile}"));
            Assert.That(exitCode, Is.EqualTo(2), stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith("tcpchat: cannot start: DevAuth:DataPath").And.Contain(dataFile).And.Contain("in use"));
            Assert.That(stdout + stderr, Does.Not.Contain("   at "), "no stack trace");

            Assert.That(Kill(first.Id, Sigterm), Is.Zero, "kill(SIGTERM)");
            await first.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            Assert.That(first.ExitCode, Is.Zero, await firstErrors);
            Assert.That(await File.ReadAllTextAsync(dataFile), Does.Contain(email), "the first instance's user survives");
        }
        finally
        {
            if (!first.HasExited)
            {
                first.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataDir, recursive: true);
            Directory.Delete(otherDir, recursive: true);
        }
    }

    [Test]
    public async Task Issue13AnAuthPortInUseIsOneLineAndLeavesTheUsersFileAlone()
    {
        string dataDir = Directory.CreateTempSubdirectory("tcpchat-proc").FullName;
        string dataFile = Path.Combine(dataDir, "devauth.json");
        try
        {
            // A first run leaves a users file with one account.
            using (var first = Start(dataDir, "--Chat:Port=0", "--DevAuth:Port=0"))
            {
                int port = await ReadListeningPortAsync(first);
                await using (var alice = await ChatTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
                {
                    await alice.SendAsync($"SIGNUP {ChatServerFixture.NewEmail("first")} process-password");
                    await alice.ExpectNextAsync("OK AUTH ");
                }

                Assert.That(Kill(first.Id, Sigterm), Is.Zero, "kill(SIGTERM)");
                await first.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            }

            byte[] before = await File.ReadAllBytesAsync(dataFile);
            var writtenBefore = File.GetLastWriteTimeUtc(dataFile);
            using var authPort = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            authPort.Start();
            int taken = ((IPEndPoint)authPort.LocalEndpoint).Port;

            var (exitCode, stdout, stderr) = await RunToExitAsync(Start(dataDir, "--Chat:Port=0", $"--DevAuth:Port={taken}"));
            Assert.That(exitCode, Is.EqualTo(2), stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.StartWith("tcpchat: cannot start: DevAuth:Port").And.Contain($"127.0.0.1:{taken}"));
            Assert.That(stdout + stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(await File.ReadAllBytesAsync(dataFile), Is.EqualTo(before), "users file unchanged");
            Assert.That(File.GetLastWriteTimeUtc(dataFile), Is.EqualTo(writtenBefore), "users file not rewritten");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Waits for a process that should stop by itself; kills it if it does not.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            return (process.ExitCode, await stdout, await stderr);
        }
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
