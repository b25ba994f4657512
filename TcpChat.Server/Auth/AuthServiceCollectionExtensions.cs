using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace TcpChat.Server.Auth;

/// <summary>DI wiring of the Auth folder.</summary>
internal static class AuthServiceCollectionExtensions
{
    /// <summary>The first retry waits about this long, the second twice as long (with jitter).</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Registers <see cref="SupabaseOptions"/> (validated at start), <see cref="SupabaseEndpoint"/> (set right away when
    /// <c>Supabase:Url</c> is configured; otherwise the embedded dev endpoint sets it once bound), the typed
    /// <see cref="SupabaseAuthClient"/> with its resilience pipeline, <see cref="AccessTokenValidator"/>,
    /// <see cref="LoginThrottle"/> and <see cref="AuthService"/> as <see cref="IAuthService"/>.
    /// </summary>
    public static IServiceCollection AddSupabaseAuth(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<SupabaseOptions>()
            .Bind(configuration.GetSection(SupabaseOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SupabaseOptions>, SupabaseOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SupabaseOptions>, SupabaseOptionsRulesValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var endpoint = new SupabaseEndpoint();
            sp.GetRequiredService<IOptions<SupabaseOptions>>().Value.ApplyTo(endpoint);
            return endpoint;
        });

        services.AddHttpClient<SupabaseAuthClient>(SupabaseAuthClient.HttpClientName, (sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<SupabaseOptions>>().Value;

                // A backstop only: the resilience pipeline's total timeout fires first.
                http.Timeout = options.Timeout + TimeSpan.FromSeconds(5);
                http.MaxResponseContentBufferSize = 1024 * 1024;
                http.DefaultRequestHeaders.TryAddWithoutValidation("X-Client-Info", SupabaseAuthClient.ClientInfo);
                http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", SupabaseAuthClient.ClientInfo);
            })

            // The client is held by singletons (AuthService, AccessTokenValidator): keep one handler and let the
            // connection pool pick up DNS changes instead of rotating handlers.
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("supabase", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<SupabaseOptions>>().Value;
                ConfigurePipeline(pipeline, options.Timeout, context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<SupabaseAuthClient>());
            });

        // Polly's own telemetry writes a warning with a full stack trace per attempt: the pipeline logs instead (a
        // Debug line per retry, then AuthService's one line per failed call).
        services.AddLogging(logging => logging.AddFilter("Polly", LogLevel.None));

        services.TryAddSingleton<AccessTokenValidator>();
        services.TryAddSingleton<LoginThrottle>();
        services.TryAddSingleton<AuthService>();
        services.TryAddSingleton<IAuthService>(sp => sp.GetRequiredService<AuthService>());
        return services;
    }

    /// <summary>
    /// Total timeout (Supabase:Timeout) ⊃ retry (2 retries, ~100 ms then ~200 ms) ⊃ per-attempt timeout (half the total).
    /// Retried: no answer (connection failure, per-attempt timeout) and 5xx. Never a 4xx, 429 included (Supabase's
    /// buckets refill in seconds; a retry only drains them). A request that sends mail is not retried once it may have
    /// reached GoTrue (500, 504, per-attempt timeout): only connection failures, 502 and 503.
    /// </summary>
    internal static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, TimeSpan total, ILogger? logger = null)
    {
        pipeline.AddTimeout(total);
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            Delay = RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = false,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage())),
            OnRetry = args =>
            {
                if (args.Context.GetRequestMessage() is { } request)
                {
                    request.Options.Set(SupabaseAuthClient.Retries, args.AttemptNumber + 1);
                    if (logger is not null && logger.IsEnabled(LogLevel.Debug))
                    {
                        string endpoint = $"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}";
                        AuthLog.SupabaseRetrying(logger, endpoint, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception);
                    }
                }

                return ValueTask.CompletedTask;
            },
        });
        pipeline.AddTimeout(total / 2);
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        bool sendsMail = request?.Options.TryGetValue(SupabaseAuthClient.SendsMail, out var value) == true && value;
        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                // No connection (refused, reset, DNS): the request did not get processed.
                HttpRequestException { StatusCode: null } => true,
                TimeoutRejectedException => !sendsMail,
                _ => false,
            };
        }

        if (outcome.Result is not { } response || (int)response.StatusCode < 500)
        {
            return false;
        }

        return !sendsMail || (int)response.StatusCode is 502 or 503;
    }
}
