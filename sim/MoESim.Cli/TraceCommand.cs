using System.CommandLine;

namespace MoESim.Cli;

/// <summary><c>moesim trace ...</c>: expert-selection trace utilities (formats in traces/README.md).</summary>
internal static class TraceCommand
{
    public static Command Build()
    {
        var trace = new Command("trace", "Expert-selection traces: check, convert (formats: .jsonl, .moetrace, .csv import)");
        foreach (var sub in Subcommands()) trace.Add(sub);
        return trace;
    }

    /// <summary>Each subcommand is built by its own file's Create(); add new ones (gen, stats) to this list.</summary>
    private static Command[] Subcommands() =>
    [
        TraceCheckCommand.Create(),
        TraceConvertCommand.Create(),
        TraceGenCommand.Create(),
        TraceStatsCommand.Create(),
    ];
}
