using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TcpChat.Server.Store;

/// <summary>
/// Opens the store before anything else starts (a bad file stops the start with one line) and closes it after
/// everything else stopped, so the chat's last lines are flushed. Sweeps idle rooms at start and then hourly.
/// </summary>
internal sealed class StoreHostedService(IChatStore store, StoreLimits limits, TimeProvider time, ILogger<StoreHostedService> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);

    private readonly CancellationTokenSource _stop = new();
    private Task _sweeper = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.OpenAsync(cancellationToken);
        if (limits.RoomRetention > TimeSpan.Zero)
        {
            _sweeper = Task.Run(() => SweepAsync(_stop.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _sweeper;
        await store.CloseAsync(cancellationToken);
    }

    public void Dispose() => _stop.Dispose();

    private async Task SweepAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(SweepInterval, time);
        try
        {
            do
            {
                try
                {
                    int dropped = await store.DropExpiredRoomsAsync(stop);
                    if (dropped > 0)
                    {
                        StoreLog.RoomsDropped(logger, dropped, limits.RoomRetention);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    StoreLog.SweepFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
