using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using TcpChat.DevAuth;

namespace TcpChat.Tests.Infrastructure;

/// <summary>What the endpoint does to every request while a fault is set.</summary>
internal enum DevAuthFaultMode
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>Wait the set delay, then answer normally.</summary>
    Delay,

    /// <summary>500 <c>unexpected_failure</c> with an <c>error_id</c>, as GoTrue answers a crash.</summary>
    ServerError,

    /// <summary>502 with a non-JSON body, as an infrastructure proxy would send.</summary>
    GatewayError,

    /// <summary>429 <c>over_request_rate_limit</c>.</summary>
    RateLimited,
}

/// <summary>
/// Failure injection for the embedded endpoint: middleware the tests put in front of it (an
/// <see cref="IStartupFilter"/> keyed <see cref="DevAuthServer.PipelineKey"/>), so the shipped endpoint has none.
/// Thread-safe: one immutable snapshot is swapped.
/// </summary>
internal sealed class DevAuthFaults : IStartupFilter
{
    private const string GatewayErrorPage =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>devauth</center>\r\n</body>\r\n</html>\r\n";

    private State _state = new(DevAuthFaultMode.None, TimeSpan.Zero);
    private TaskCompletionSource _delaying = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a request starts waiting out the delay set last: a test's sign that a call is in flight.</summary>
    public Task Delaying => Volatile.Read(ref _delaying).Task;

    /// <summary>Sets the mode; <paramref name="delay"/> only matters for <see cref="DevAuthFaultMode.Delay"/>.</summary>
    public void Set(DevAuthFaultMode mode, TimeSpan delay = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Volatile.Write(ref _delaying, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Volatile.Write(ref _state, new State(mode, delay));
    }

    public void Clear() => Set(DevAuthFaultMode.None);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(InvokeAsync);
        next(app);
    };

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var state = Volatile.Read(ref _state); // mode and delay read together
        IResult? fault = null;
        switch (state.Mode)
        {
            case DevAuthFaultMode.Delay:
                Volatile.Read(ref _delaying).TrySetResult();
                await Task.Delay(state.Delay, context.RequestAborted);
                break;
            case DevAuthFaultMode.ServerError:
                fault = DevAuthError.Unexpected("Injected failure (test fault)", Guid.NewGuid().ToString());
                break;
            case DevAuthFaultMode.GatewayError:
                fault = Results.Text(GatewayErrorPage, "text/html", Encoding.UTF8, StatusCodes.Status502BadGateway);
                break;
            case DevAuthFaultMode.RateLimited:
                fault = DevAuthError.RequestRateLimit();
                break;
        }

        if (fault is null)
        {
            await next(context);
        }
        else
        {
            await fault.ExecuteAsync(context);
        }
    }

    private sealed record State(DevAuthFaultMode Mode, TimeSpan Delay);
}
