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
            Console.Out.Write(HelpText.Text);
            return 0;
        }

        if (args.Length > 0 && args[0] == "devauth")
        {
            return await DevAuthStandalone.RunAsync(args[1..]).ConfigureAwait(false);
        }

        try
        {
            using var host = CreateBuilder(args).Build();
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or FormatException)
        {
            await Console.Error.WriteLineAsync("tcpchat: cannot start: " + Describe(ex)).ConfigureAwait(false);
            return 2;
        }
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
                .Select(f => f.Replace($"DataAnnotation validation failed for '{validation.OptionsType.Name}' members: ", string.Empty, StringComparison.Ordinal)));
        }

        return ex.InnerException is { } inner && ex is not InvalidOperationException { Message.Length: > 0 }
            ? ex.Message + " " + inner.Message
            : ex.Message;
    }

    [GeneratedRegex("'([A-Za-z]+)' with the error: '(.*?)'\\.?$")]
    private static partial Regex DataAnnotationFailure();
}
