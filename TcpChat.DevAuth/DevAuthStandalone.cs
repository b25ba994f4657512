using System.ComponentModel.DataAnnotations;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace TcpChat.DevAuth;

/// <summary>
/// <c>TcpChat.Server devauth [--DevAuth:Port=...]</c>: runs only the embedded endpoint until Ctrl+C or SIGTERM,
/// for benchmarks and other tools. Settings come from <c>TCPCHAT_DevAuth__*</c> variables and the command line.
/// </summary>
public static class DevAuthStandalone
{
    /// <param name="configuration">The program's settings (the caller has already refused unknown ones).</param>
    /// <param name="cannotStart">
    /// The program's one answer to a failed start (a port or data file in use, a corrupt file): one line, an exit code.
    /// </param>
    public static async Task<int> RunAsync(IConfiguration configuration, Func<Exception, Task<int>> cannotStart)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(cannotStart);
        var options = new DevAuthOptions();
        configuration.GetSection(DevAuthOptions.SectionName).Bind(options);
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"DevAuth: {string.Join(", ", error.MemberNames)}: {error.ErrorMessage}");
            }

            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical)); // a failed start is cannotStart's one line
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        await using var server = new DevAuthServer(options, loggerFactory, TimeProvider.System, []);
        Uri url;
        try
        {
            url = await server.StartAsync(stop.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await cannotStart(e);
        }

        await Console.Out.WriteLineAsync($"DevAuth listening on {url} (apikey {options.AnonKey}); mail in {server.Mailbox.Directory}; Ctrl+C to stop");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: fall through to a clean stop.
        }

        await server.StopAsync(CancellationToken.None);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
