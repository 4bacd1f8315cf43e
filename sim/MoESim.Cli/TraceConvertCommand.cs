using System.CommandLine;
using MoESim.Traces.Formats;

namespace MoESim.Cli;

/// <summary><c>moesim trace convert IN OUT</c>: any trace format to .jsonl or .moetrace (atomic output).</summary>
internal static class TraceConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = $"Trace to read ({RoutingTraceFiles.ReadableExtensions})" };
        var output = new Argument<string>("out") { Description = $"Trace to write ({RoutingTraceFiles.WritableExtensions}); appears only when complete" }.WritableFile();
        var command = new Command("convert", "Convert an expert-selection trace between formats (validating it on the way)") { input, output };
        command.SetAction(parse =>
        {
            var from = parse.GetValue(input)!;
            var to = parse.GetValue(output)!;
            var steps = ConsoleProgress.Run("Converting", p => TraceConverter.Convert(from, to, p));
            parse.InvocationConfiguration.Output.WriteLine($"wrote {DisplayPath.Of(to)}: {steps} steps ({new FileInfo(to).Length} bytes)");
            return CliApp.ExitOk;
        });
        return command;
    }
}
