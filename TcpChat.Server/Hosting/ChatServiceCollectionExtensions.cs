using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TcpChat.DevAuth;
using TcpChat.Server.Auth;
using TcpChat.Server.Chat;
using TcpChat.Server.Networking;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Hosting;

public static class ChatServiceCollectionExtensions
{
    /// <summary>Everything the chat server needs: options, chat core, Supabase Auth and, when no project is configured, the embedded endpoint.</summary>
    public static IServiceCollection AddChatServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatOptions>()
            .Bind(configuration.GetSection(ChatOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>();
        services.AddOptions<HostOptions>().Configure<IOptions<ChatOptions>>((host, chat) =>
            host.ShutdownTimeout = chat.Value.ShutdownTimeout + TimeSpan.FromSeconds(5));
        services.TryAddSingleton(TimeProvider.System);
        services.AddChatStore(configuration); // its hosted service opens the store first and closes it last

        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<NickRegistry>();
        services.AddSingleton(sp => new LineEncoder(
            string.Equals(sp.GetRequiredService<IOptions<ChatOptions>>().Value.Newline, "crlf", StringComparison.OrdinalIgnoreCase)));
        services.AddSingleton<Replies>();
        services.AddSingleton<ChatCommands>();
        services.AddSingleton<DeferredFlush>();
        services.AddSingleton<ConnectionContext>();
        services.AddSingleton<ChatServer>();
        services.AddSingleton<SessionKeeper>();

        services.AddSupabaseAuth(configuration);
        services.AddEmbeddedDevAuth(configuration); // its hosted service starts before the chat server's

        services.AddHostedService<ChatServerHostedService>();
        return services;
    }

    /// <summary>
    /// The embedded endpoint, started when no <c>Supabase:Url</c> is set, with <see cref="SupabaseEndpoint"/>
    /// (registered here if nobody did) pointed at it.
    /// </summary>
    public static IServiceCollection AddEmbeddedDevAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDevAuth(configuration);
        services.TryAddSingleton<SupabaseEndpoint>();
        services.AddHostedService<DevAuthHostedService>();
        return services;
    }
}
