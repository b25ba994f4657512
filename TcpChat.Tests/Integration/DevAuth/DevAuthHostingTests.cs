using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TcpChat.DevAuth;
using TcpChat.Server.Auth;
using TcpChat.Server.Hosting;

namespace TcpChat.Tests.Integration.DevAuth;

[Parallelizable(ParallelScope.All)]
public class DevAuthHostingTests
{
    [Test, CancelAfter(30_000)]
    public async Task HostStartsDevAuthAndPointsSupabaseEndpointAtIt(CancellationToken ct)
    {
        var directory = DevAuthTestServer.NewDirectory();
        using var host = BuildHost(new()
        {
            ["DevAuth:Port"] = "0",
            ["DevAuth:DataPath"] = Path.Combine(directory, "devauth.json"),
            ["DevAuth:PasswordHashIterations"] = "1000",
        });
        try
        {
            await host.StartAsync(ct);
            var target = await host.Services.GetRequiredService<SupabaseEndpoint>().GetAsync(ct);
            Assert.That(target.ApiKey, Is.EqualTo(DevAuthOptions.DefaultAnonKey));

            using var client = DevAuthTestServer.NewClient(target.ProjectUrl);
            client.DefaultRequestHeaders.Add("apikey", target.ApiKey);
            using var health = await client.GetAsync(target.AuthBase + "/health", ct);
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));

            await host.StopAsync(ct);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Test, CancelAfter(30_000)]
    public async Task HostLeavesDevAuthOffWhenSupabaseUrlIsSet(CancellationToken ct)
    {
        var directory = DevAuthTestServer.NewDirectory();
        using var host = BuildHost(new()
        {
            ["Supabase:Url"] = "https://example.supabase.co",
            ["DevAuth:DataPath"] = Path.Combine(directory, "devauth.json"),
        });

        await host.StartAsync(ct);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(host.Services.GetRequiredService<SupabaseEndpoint>().IsSet, Is.False);
            Assert.That(Directory.Exists(directory), Is.False, "no data file was touched");
        }

        await host.StopAsync(ct);
    }

    [TestCase("DevAuth:Port", "70000", "Port")]
    [TestCase("DevAuth:Host", "localhost", "Host")]
    [TestCase("DevAuth:AnonKey", DevAuthOptions.DefaultSecretKey, "AnonKey")]
    [CancelAfter(30_000)]
    public async Task InvalidOptionsStopTheHostAtStart(string key, string value, string member, CancellationToken ct)
    {
        using var host = BuildHost(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(ct));
        Assert.That(error!.Message, Does.Contain(member));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEmbeddedDevAuth(builder.Configuration);
        return builder.Build();
    }
}
