using System.Diagnostics;
using NUnit.Framework;

namespace TcpChat.Tests.Integration.DevAuth;

/// <summary>
/// The judge: Supabase's own <c>@supabase/auth-js</c> (pinned in <c>TcpChat.Tests/js/package.json</c>) runs
/// <c>devauth.test.mjs</c> with <c>node --test</c> against a real DevAuth. Missing Node or modules fail, never skip.
/// </summary>
public class DevAuthJavaScriptClientTests
{
    [Test, CancelAfter(180_000)]
    public async Task SupabaseAuthJsAcceptsEveryAccountEndpoint(CancellationToken ct)
    {
        var directory = Path.Combine(RepositoryRoot(), "TcpChat.Tests", "js");
        Assert.That(File.Exists(Path.Combine(directory, "node_modules", "@supabase", "auth-js", "package.json")), Is.True,
            $"@supabase/auth-js is not installed: run `npm ci` in {directory} (.ci/run does)");

        await using var server = await DevAuthTestServer.StartAsync(ct, o =>
        {
            o.AutoConfirm = false;
            o.AllowAnonymous = true;
            o.SecurePasswordChange = true;
            o.EmailMaxFrequencySeconds = 0;
        });

        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=tap", "devauth.test.mjs"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DEVAUTH_URL"] = server.Root.AbsoluteUri;
        start.Environment["DEVAUTH_ANON_KEY"] = server.Options.AnonKey;
        start.Environment["DEVAUTH_SECRET_KEY"] = server.Options.SecretKey;
        start.Environment["NO_COLOR"] = "1";

        using var node = StartOrFail(start);
        var output = node.StandardOutput.ReadToEndAsync(ct);
        var errors = node.StandardError.ReadToEndAsync(ct);
        try
        {
            await node.WaitForExitAsync(ct);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }

        var report = await output + await errors;
        TestContext.Out.WriteLine(report);
        Assert.That(node.ExitCode, Is.Zero, report);
        Assert.That(report, Does.Contain("# fail 0").And.Match(@"# pass [1-9]"), report);
    }

    private static Process StartOrFail(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Node.js is required for the auth-js judge (apt-get install nodejs npm; .ci/run does): {e.Message}");
            throw;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TcpChat.sln")))
            {
                return dir.FullName;
            }
        }

        Assert.Fail("TcpChat.sln not found above " + AppContext.BaseDirectory);
        return "";
    }
}
