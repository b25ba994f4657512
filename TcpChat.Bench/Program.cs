using TcpChat.Bench;
using TcpChat.Bench.Net;
using TcpChat.Bench.Reporting;
using TcpChat.Bench.Scenarios;

// Usage: TcpChat.Bench <fanout|stream|paced|connections|logins> [--option value]... [--raw]
//        TcpChat.Bench table <results.jsonl>   (the Markdown table of scripts/bench.sh)
// Exit code: 0 all good; 1 a run failed (lost or out-of-order lines, an error); 2 bad usage.
// Run socket continuations on the epoll thread instead of queueing them to the thread pool: one hop less per
// receive, which is most of the load generator's CPU when lines arrive one by one (paced). Read once, at the
// first socket operation, so it must be set before any.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

if (args.Length >= 1 && args[0] == "table")
{
    return MarkdownTable.Print(args.Skip(1).ToArray(), Console.Out);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
    options.ReadCommon();
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync("tcpchat-bench: " + ex.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

ScenarioResult result;
try
{
    Func<BenchOptions, CancellationToken, Task<ScenarioResult>> run = options.Scenario switch
    {
        "fanout" or "stream" => FanoutScenario.RunAsync,
        "paced" => PacedScenario.RunAsync,
        "connections" => ConnectionsScenario.RunAsync,
        "logins" => LoginsScenario.RunAsync,
        _ => throw new ArgumentException($"unknown scenario '{options.Scenario}'"),
    };
    var running = run(options, cancel.Token);
    options.CheckAllUsed(); // every option has been read once the scenario's first await is reached
    result = await running;
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync("tcpchat-bench: " + ex.Message);
    return 2;
}
catch (Exception ex) when (ex is BenchException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or HttpRequestException)
{
    result = new ScenarioResult(options.Label, options.Scenario, options.Raw);
    result.Failures.Add("error: " + ex.Message);
}

result.Print(Console.Out);
return result.Ok ? 0 : 1;
