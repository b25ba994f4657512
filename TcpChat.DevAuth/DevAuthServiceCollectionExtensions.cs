using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TcpChat.DevAuth;

/// <summary>DI wiring for the embedded Supabase Auth endpoint.</summary>
public static class DevAuthServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>DevAuth</c> options at start and registers the (not yet started) server; the host
    /// decides whether and when to start it.
    /// </summary>
    public static IServiceCollection AddDevAuth(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DevAuthOptions>()
            .Bind(configuration.GetSection(DevAuthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => new DevAuthServer(
            sp.GetRequiredService<IOptions<DevAuthOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
