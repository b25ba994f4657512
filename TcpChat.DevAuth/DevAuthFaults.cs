namespace TcpChat.DevAuth;

/// <summary>What the endpoint does to every request (except the faults route) while a fault is set.</summary>
internal enum DevAuthFaultMode
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>Wait <see cref="DevAuthFaults.Delay"/>, then answer normally.</summary>
    Delay,

    /// <summary>500 <c>unexpected_failure</c> (shape A with <c>error_id</c>).</summary>
    ServerError,

    /// <summary>502 with a non-JSON body, as an infrastructure proxy would send.</summary>
    GatewayError,

    /// <summary>429 <c>over_request_rate_limit</c>.</summary>
    RateLimited,
}

/// <summary>
/// Failure injection for tests: set in-process, or out of process with <c>POST /auth/v1/_dev/faults</c>
/// (<c>{"mode":"delay","delay_ms":500}</c>, Bearer secret key). Thread-safe: one immutable snapshot is swapped.
/// </summary>
internal sealed class DevAuthFaults
{
    private State _state = new(DevAuthFaultMode.None, TimeSpan.Zero);
    private TaskCompletionSource _delaying = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DevAuthFaultMode Mode => Volatile.Read(ref _state).Mode;

    public TimeSpan Delay => Volatile.Read(ref _state).Delay;

    /// <summary>Sets the mode; <paramref name="delay"/> only matters for <see cref="DevAuthFaultMode.Delay"/>.</summary>
    public void Set(DevAuthFaultMode mode, TimeSpan delay = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Volatile.Write(ref _delaying, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Volatile.Write(ref _state, new State(mode, delay));
    }

    /// <summary>Completes when a request starts waiting out the delay set last: a test's sign that a call is in flight.</summary>
    public Task Delaying => Volatile.Read(ref _delaying).Task;

    internal void OnDelaying() => Volatile.Read(ref _delaying).TrySetResult();

    public void Clear() => Set(DevAuthFaultMode.None);

    /// <summary>Mode and delay read together, so a request never mixes two settings.</summary>
    public (DevAuthFaultMode Mode, TimeSpan Delay) Snapshot()
    {
        var state = Volatile.Read(ref _state);
        return (state.Mode, state.Delay);
    }

    private sealed record State(DevAuthFaultMode Mode, TimeSpan Delay);
}
