namespace TcpChat.Server.Auth;

/// <summary>
/// Where Supabase Auth answers: the configured project (<c>Supabase:Url</c>), or the embedded dev endpoint once
/// it has bound its port. Calls made before the dev endpoint is up wait for it.
/// </summary>
internal sealed class SupabaseEndpoint
{
    private readonly TaskCompletionSource<SupabaseTarget> _target = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sets the target once: <paramref name="projectUrl"/> is the project root (no <c>/auth/v1</c>).</summary>
    public void Set(Uri projectUrl, string apiKey) => _target.TrySetResult(new SupabaseTarget(projectUrl, apiKey));

    public bool IsSet => _target.Task.IsCompletedSuccessfully;

    public Task<SupabaseTarget> GetAsync(CancellationToken cancellationToken) => _target.Task.WaitAsync(cancellationToken);
}

/// <param name="ProjectUrl">e.g. <c>https://ref.supabase.co</c> or <c>http://127.0.0.1:54321</c>.</param>
/// <param name="ApiKey">The key sent as <c>apikey</c> on every call.</param>
internal sealed record SupabaseTarget(Uri ProjectUrl, string ApiKey)
{
    /// <summary><c>{ProjectUrl}/auth/v1</c>: the REST base and the JWT issuer.</summary>
    public string AuthBase => ProjectUrl.AbsoluteUri.TrimEnd('/') + "/auth/v1";
}
