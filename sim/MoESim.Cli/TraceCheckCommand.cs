using System.CommandLine;
using MoESim.Traces.Formats;

namespace MoESim.Cli;

/// <summary><c>moesim trace check FILE</c>: stream a trace through every validation and print its shape and counts.</summary>
internal static class TraceCheckCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Trace file (.jsonl, .moetrace or .csv)" };
        var command = new Command("check", "Validate an expert-selection trace; print its shape and counts, or the errors (exit 2)") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var result = ConsoleProgress.Run("Checking", p => TraceChecker.Check(path, p));
            var output = parse.InvocationConfiguration.Output;
            var s = result.Shape;
            var c = result.Counts;
            var model = string.IsNullOrEmpty(s.ModelName) ? "" : $"model {s.ModelName}, ";
            output.WriteLine($"{path}: {model}{s.Describe()}, gate weights {(s.HasGateWeights ? "yes" : "no")}");
            output.WriteLine($"requests {c.Requests}, steps {c.Steps}, prefill tokens {c.PrefillTokens}, decode tokens {c.DecodeTokens}, selections {c.Selections}, chunks {(result.Chunks is { } n ? n.ToString() : "-")}");
            output.WriteLine("OK");
            return CliApp.ExitOk;
        });
        return command;
    }
}
