using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpChat.Server.Chat;
using TcpChat.Server.Store;

namespace TcpChat.Server.Hosting;

/// <summary>
/// Marks every room with members as joined, hourly (or twice per <c>Chat:RoomRetention</c> when that is shorter), so the
/// store's retention sweep never drops a room people are sitting in just because nobody joined it lately.
/// </summary>
internal sealed class RoomTouchHostedService(RoomRegistry rooms, IChatStore store, StoreLimits limits, TimeProvider time, ILogger<RoomTouchHostedService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (limits.RoomRetention <= TimeSpan.Zero)
        {
            return;
        }

        var interval = TimeSpan.FromTicks(Math.Min(StoreHostedService.SweepInterval.Ticks, limits.RoomRetention.Ticks / 2));
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    foreach (var room in rooms.List())
                    {
                        await store.TouchRoomAsync(room.Name, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    HostingLog.RoomTouchFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
