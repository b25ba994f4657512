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

        info.ArgumentList.Add($"--DevAuth:DataPath={Path.Combine(dataDir, "devauth.json")}");
        info.ArgumentList.Add($"--Store:Path={StorePath(dataDir)}");
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
