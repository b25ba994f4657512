using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpChat.DevAuth;

namespace TcpChat.Server.Hosting;

/// <summary>Builds and runs the Generic Host; shared by Program and the in-process tests.</summary>
internal static partial class ChatHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.Out.Write(HelpText.Render(OptionsCatalog.From(CreateBuilder([]).Services)));
            return 0;
        }

        if (args.Length > 0 && args[0] == "devauth")
        {
            string[] rest = args[1..];
            var standalone = new ConfigurationBuilder().AddEnvironmentVariables("TCPCHAT_").AddCommandLine(rest).Build();
            if (await RefuseUnknownAsync(UnknownSettings.Find(standalone, [OptionsCatalog.Describe(typeof(DevAuthOptions), withDocs: false)!], rest)).ConfigureAwait(false))
            {
                return 2;
            }

            return await DevAuthStandalone.RunAsync(standalone, CannotStartAsync).ConfigureAwait(false);
        }

        // Every start failure (bad setting, port or data file in use, missing TLS file) ends here: one line naming
        // the cause and exit code 2, never a stack trace. Failures after start are bugs and crash loudly.
        IHost host;
        try
        {
            var builder = CreateBuilder(args);
            if (await RefuseUnknownAsync(UnknownSettings.Find(builder.Configuration, OptionsCatalog.From(builder.Services, withDocs: false), args)).ConfigureAwait(false))
            {
                return 2;
            }

            host = builder.Build();
        }
        catch (Exception ex)
        {
            return await CannotStartAsync(ex).ConfigureAwait(false);
        }

        using (host)
        {
            try
            {
                await host.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return await CannotStartAsync(ex).ConfigureAwait(false);
            }

            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> CannotStartAsync(Exception ex)
    {
        await Console.Error.WriteLineAsync("tcpchat: cannot start: " + Describe(ex)).ConfigureAwait(false);
        return 2;
    }

    /// <summary>
    /// Configuration, lowest to highest: appsettings.json, appsettings.{Environment}.json, environment variables,
    /// the seed's SUPABASE_URL / SUPABASE_ANON_KEY, TCPCHAT_-prefixed variables, then the command line.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory, // appsettings.json ships beside the program
        });

        var seed = new Dictionary<string, string?>();
        AddSeed(seed, "SUPABASE_URL", "Supabase:Url");
        AddSeed(seed, "SUPABASE_ANON_KEY", "Supabase:AnonKey");
        builder.Configuration.AddInMemoryCollection(seed);
        builder.Configuration.AddEnvironmentVariables("TCPCHAT_");
        builder.Configuration.AddCommandLine(args);

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // A failed start is reported once, as one line naming the key (RunAsync); not also as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.AddSystemd();
        builder.Services.AddChatServer(builder.Configuration);
        return builder;
    }

    private static async Task<bool> RefuseUnknownAsync(IReadOnlyList<string> unknown)
    {
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync("tcpchat: cannot start: " + string.Join("; ", unknown)).ConfigureAwait(false);
        }

        return unknown.Count > 0;
    }

    private static void AddSeed(Dictionary<string, string?> seed, string variable, string key)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
        {
            seed[key] = value;
        }
    }

    /// <summary>One line that names the key: DataAnnotations failures are rewritten from "'Port' with the error: '…'" to "Chat:Port: …".</summary>
    internal static string Describe(Exception ex)
    {
        if (ex is OptionsValidationException validation)
        {
            string section = validation.OptionsType.Name.Replace("Options", string.Empty, StringComparison.Ordinal);
            return string.Join("; ", validation.Failures.Select(f => DataAnnotationFailure().Replace(f, m => $"{section}:{m.Groups[1].Value}: {m.Groups[2].Value}"))
                .Select(f => f.Replace($"DataAnnotation validation failed for '{validation.OptionsType.Name}' members: ", string.Empty, StringComparison.Ordinal)
                    .TrimEnd('.'))); // "; " separates them: no ".;"
        }

        if (ex is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return Describe(aggregate.InnerExceptions[0]);
        }

        // The inner message only when it adds something ("Address already in use" is usually in the outer one).
        string text = ex.InnerException is { Message: { Length: > 0 } inner } && !ex.Message.Contains(inner, StringComparison.OrdinalIgnoreCase)
            && ex is not InvalidOperationException { Message.Length: > 0 }
            ? ex.Message + " " + inner
            : ex.Message;
        return text.ReplaceLineEndings(" ");
    }

    [GeneratedRegex("'([A-Za-z]+)' with the error: '(.*?)'\\.?$")]
    private static partial Regex DataAnnotationFailure();
}
