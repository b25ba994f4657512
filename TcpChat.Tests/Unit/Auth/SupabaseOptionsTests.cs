using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.Server.Auth;

namespace TcpChat.Tests.Unit.Auth;

public class SupabaseOptionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSupabaseAuth(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    private static OptionsValidationException? Validate(Dictionary<string, string?> settings)
    {
        using var provider = Build(settings);
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e;
        }
    }

    [Test]
    public void DefaultsMeanTheDevEndpoint()
    {
        using var provider = Build([]);
        var options = provider.GetRequiredService<IOptions<SupabaseOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(options.Url, Is.Null);
            Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.MaxConcurrentCalls, Is.EqualTo(64));
            Assert.That(options.LoginsPerMinutePerAddress, Is.EqualTo(20));
            Assert.That(options.LoginBurstPerAddress, Is.EqualTo(10));
            Assert.That(options.ForwardClientIp, Is.False);
            Assert.That(provider.GetRequiredService<SupabaseEndpoint>().IsSet, Is.False);
            Assert.That(provider.GetRequiredService<IAuthService>(), Is.SameAs(provider.GetRequiredService<AuthService>()));
        });
    }

    [Test]
    public async Task ConfiguredProjectSetsTheEndpointAtOnce()
    {
        using var provider = Build(new() { ["Supabase:Url"] = "https://ref.supabase.co/", ["Supabase:AnonKey"] = "anon" });
        var endpoint = provider.GetRequiredService<SupabaseEndpoint>();
        Assert.That(endpoint.IsSet, Is.True);
        var target = await endpoint.GetAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Multiple(() =>
        {
            Assert.That(target.AuthBase, Is.EqualTo("https://ref.supabase.co/auth/v1"));
            Assert.That(target.ApiKey, Is.EqualTo("anon"));
        });
    }

    [Test]
    public async Task ForwardingUsesTheSecretKeyAsApikey()
    {
        using var provider = Build(new()
        {
            ["Supabase:Url"] = "https://ref.supabase.co",
            ["Supabase:AnonKey"] = "anon",
            ["Supabase:SecretKey"] = "sb_secret_x",
            ["Supabase:ForwardClientIp"] = "true",
        });
        var target = await provider.GetRequiredService<SupabaseEndpoint>().GetAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(target.ApiKey, Is.EqualTo("sb_secret_x"));
    }

    [TestCase("not a url")]
    [TestCase("ftp://ref.supabase.co")]
    [TestCase("/relative")]
    [TestCase("https://ref.supabase.co/auth/v1")]
    public void BadUrlIsRefusedNamingTheKey(string url)
    {
        var error = Validate(new() { ["Supabase:Url"] = url, ["Supabase:AnonKey"] = "anon" });
        Assert.That(error?.Message, Does.Contain("Supabase:Url"));
    }

    [Test]
    public void UrlWithoutAnonKeyIsRefused()
    {
        var error = Validate(new() { ["Supabase:Url"] = "https://ref.supabase.co" });
        Assert.That(error?.Message, Does.Contain("Supabase:AnonKey"));
    }

    [Test]
    public void ForwardClientIpWithoutSecretKeyIsRefused()
    {
        var error = Validate(new() { ["Supabase:Url"] = "https://ref.supabase.co", ["Supabase:AnonKey"] = "anon", ["Supabase:ForwardClientIp"] = "true" });
        Assert.That(error?.Message, Does.Contain("Supabase:SecretKey"));
    }

    [TestCase("Supabase:Timeout", "00:00:00")]
    [TestCase("Supabase:MaxConcurrentCalls", "0")]
    [TestCase("Supabase:LoginBurstPerAddress", "0")]
    [TestCase("Supabase:LoginsPerMinutePerAddress", "-1")]
    [TestCase("Supabase:JwtSecret", "short")]
    public void OutOfRangeValuesAreRefused(string key, string value)
    {
        var error = Validate(new() { [key] = value });
        Assert.That(error?.Message, Does.Contain(key.Split(':')[1]));
    }

    [Test]
    public void ValidConfigurationPasses() =>
        Assert.That(Validate(new() { ["Supabase:Url"] = "http://127.0.0.1:54321", ["Supabase:AnonKey"] = "anon", ["Supabase:Timeout"] = "00:00:05" }), Is.Null);
}
