using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.Server.Hosting;

namespace TcpChat.Tests.Unit.Hosting;

/// <summary>The settings as the real host builder sees them: --help, the README table and the unknown-key check all follow the options classes.</summary>
[CancelAfter(10_000)]
public partial class ConfigurationTests
{
    private static IReadOnlyList<OptionsSection> Sections() => OptionsCatalog.From(ChatHost.CreateBuilder([]).Services);

    private static IReadOnlyList<string> Unknown(params string[] args)
    {
        var builder = ChatHost.CreateBuilder(args);
        return UnknownSettings.Find(builder.Configuration, OptionsCatalog.From(builder.Services), args);
    }

    [Test]
    public void EverySectionOfTheProgramIsFound() =>
        Assert.That(Sections().Select(s => s.Name), Is.SupersetOf(new[] { "Chat", "Supabase", "DevAuth" }));

    [Test]
    public void ANewlyBoundOptionsClassJoinsWithItsCollectionsAndNestedKeys()
    {
        var services = new ServiceCollection();
        services.AddOptions<ExampleOptions>().BindConfiguration(ExampleOptions.SectionName);
        var sections = OptionsCatalog.From(services);
        Assert.That(sections.Single().Keys.Select(k => (k.Key, k.Default, k.Description)), Is.EqualTo(new[]
        {
            ("Example:Seeds", "a,b", "Where to start."),
            ("Example:Inner:Limit", "7", "How many."),
        }));

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Example:Seeds:0"] = "x",
            ["Example:Seeds:1"] = "y",
            ["Example:Inner:Limit"] = "3",
            ["Example:Sedes:0"] = "z",
        }).Build();
        Assert.That(UnknownSettings.Find(configuration, sections, []), Is.EqualTo(new[] { "unknown setting 'Example:Sedes:0'; did you mean Example:Seeds?" }));
    }

    [Test]
    public void ReadmeConfigurationTableListsExactlyTheOptions()
    {
        string readme = File.ReadAllText(FindReadme());
        int start = readme.IndexOf("\n## Configuration", StringComparison.Ordinal);
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0), "README has a Configuration section");
        var documented = readme[start..end].Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(line => ReadmeKey().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value))
            .ToHashSet();
        var options = Sections().SelectMany(s => s.Keys).Select(k => k.Key).ToHashSet();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Except(documented), Is.Empty, "options missing from README's Configuration table");
            Assert.That(documented.Except(options), Is.Empty, "README keys that no options class has");
        }
    }

    [Test]
    public void HelpListsEveryOptionWithDefaultAndDescription()
    {
        var sections = Sections();
        string help = HelpText.Render(sections);
        using (Assert.EnterMultipleScope())
        {
            foreach (var option in sections.SelectMany(s => s.Keys))
            {
                Assert.That(help, Does.Contain($"  --{option.Key}={option.Default}"));
                Assert.That(option.Description, Is.Not.Empty, option.Key + " has a doc summary");
            }

            Assert.That(help, Does.Contain("--DevAuth:SecretKey=sb_secret_tcpchat_devauth_local_only"));
            Assert.That(help, Does.Contain("--Chat:Tls:KeyPath="));
            Assert.That(help.Split('\n').Max(l => l.Length), Is.LessThanOrEqualTo(120), "fits a terminal");
        }
    }

    [TestCase(new[] { "--port", "7000" }, "unknown switch '--port'; did you mean --Chat:Port?")]
    [TestCase(new[] { "--frobnicate" }, "unknown switch '--frobnicate'")]
    [TestCase(new[] { "--Chat:Port" }, "switch '--Chat:Port' has no value (use --Chat:Port=value)")]
    [TestCase(new[] { "--Chat:Prt" }, "unknown setting 'Chat:Prt'; did you mean Chat:Port?")]
    [TestCase(new[] { "--frobnicate=1" }, "unknown switch '--frobnicate'")]
    [TestCase(new[] { "--Chat:Frobnicate=1" }, "unknown setting 'Chat:Frobnicate'")]
    [TestCase(new[] { "--Chat:MaxLineByte=100" }, "unknown setting 'Chat:MaxLineByte'; did you mean Chat:MaxLineBytes?")]
    [TestCase(new[] { "--DevAuth:SecretKy", "x" }, "unknown setting 'DevAuth:SecretKy'; did you mean DevAuth:SecretKey?")]
    [TestCase(new[] { "--Chat:Tls:Prt=1" }, "unknown setting 'Chat:Tls:Prt'; did you mean Chat:Tls:Port?")]
    [TestCase(new[] { "7000" }, "unexpected argument '7000' (settings are given as --Section:Key=value)")]
    public void UnknownSettingsAreNamed(string[] args, string message) =>
        Assert.That(Unknown(args), Is.EqualTo(new[] { message }));

    [Test]
    public void KnownSettingsInAnyCaseAndFormPass() =>
        Assert.That(Unknown("--chat:port=0", "--DevAuth:Port", "0", "/Supabase:Timeout=00:00:05", "--Chat:Tls:Port=0",
            "--Logging:LogLevel:Default=Debug", "--environment=Development"), Is.Empty);

    [Test]
    public void TlsKeyMessagesNameTheProblemNotAnEmptyFile()
    {
        string certificate = Path.GetTempFileName();
        try
        {
            string message = StartError("--Chat:Tls:CertificatePath=" + certificate);
            Assert.That(message, Is.EqualTo("Chat:Tls:KeyPath: required with Chat:Tls:CertificatePath (the certificate's PEM private key)"));
            Assert.That(StartError("--Chat:Tls:CertificatePath=" + certificate, "--Chat:Tls:KeyPath=/nonexistent/key.pem"),
                Is.EqualTo("Chat:Tls:KeyPath: no such file: /nonexistent/key.pem"));
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    [Test]
    public void SeveralFailuresReadAsOneSentence()
    {
        string message = StartError("--Supabase:Url=not a url");
        Assert.That(message, Is.EqualTo(
            "Supabase:Url: 'not a url' is not an absolute http or https URL without query, such as https://<ref>.supabase.co; Supabase:AnonKey is required when Supabase:Url is set"));
    }

    /// <summary>The one line RunAsync prints for the host's start-time validation failure.</summary>
    private static string StartError(params string[] args)
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            // Options that shape the host itself already fail in Build; the rest at start.
            using var host = ChatHost.CreateBuilder(args).Build();
            host.Services.GetRequiredService<IStartupValidator>().Validate();
        });
        return ChatHost.Describe(error!);
    }

    private static string FindReadme()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "TcpChat.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md beside TcpChat.sln, above " + TestContext.CurrentContext.TestDirectory);
    }

    [GeneratedRegex(@"`([A-Za-z]+(?::[A-Za-z]+)+)`")]
    private static partial Regex ReadmeKey();

    /// <summary>The section a future feature would add.</summary>
    private sealed class ExampleOptions
    {
        public const string SectionName = "Example";

        /// <summary>Where to start.</summary>
        public string[] Seeds { get; set; } = ["a", "b"];

        public InnerOptions Inner { get; set; } = new();
    }

    private sealed class InnerOptions
    {
        /// <summary>How many.</summary>
        public int Limit { get; set; } = 7;
    }
}
