using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Auth;

namespace TcpChat.Server.DevAuth;

/// <summary>DI wiring for the embedded Supabase Auth endpoint.</summary>
public static class DevAuthServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>DevAuth</c> options at start, registers <see cref="SupabaseEndpoint"/> (if nobody did),
    /// the server, and the hosted service that starts it when <c>Supabase:Url</c> is not set.
    /// </summary>
    public static IServiceCollection AddDevAuth(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DevAuthOptions>()
            .Bind(configuration.GetSection(DevAuthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<SupabaseEndpoint>();
        services.TryAddSingleton(sp => new DevAuthServer(
            sp.GetRequiredService<IOptions<DevAuthOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService<DevAuthHostedService>();
        return services;
    }
}
