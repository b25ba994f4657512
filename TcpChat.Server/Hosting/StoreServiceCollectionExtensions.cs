using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.Server.Chat;
using TcpChat.Server.Store;

namespace TcpChat.Server.Hosting;

internal static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// The embedded store (SQLite at <c>Store:Path</c>) as <see cref="IChatStore"/>, its limits from the <c>Chat</c>
    /// settings, and the hosted service that opens it at start and flushes and closes it at stop. Register it before
    /// the other hosted services: it then opens first and closes last.
    /// </summary>
    public static IServiceCollection AddChatStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>()
            .Bind(configuration.GetSection(StoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var chat = sp.GetRequiredService<IOptions<ChatOptions>>().Value;
            return new StoreLimits(chat.HistorySize, chat.HistoryBytesPerRoom, chat.MaxOwnedRoomsPerAccount, chat.RoomRetention);
        });
        services.AddSingleton<IChatStore>(sp => new SqliteChatStore(
            sp.GetRequiredService<IOptions<StoreOptions>>().Value,
            sp.GetRequiredService<StoreLimits>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SqliteChatStore>>()));
        services.AddHostedService<StoreHostedService>();
        return services;
    }
}
