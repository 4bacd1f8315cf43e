using System.CommandLine;
using System.Globalization;
using MoESim.Config;
using MoESim.Units;

namespace MoESim.Cli;

/// <summary>
/// Builds the <c>moesim</c> command tree and runs it. Exit codes: 0 success, 2 bad input
/// (one line per problem on stderr, never a stack trace), 1 an internal error.
/// </summary>
internal static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitInternalError = 1;
    public const int ExitBadInput = 2;

    public static Command BuildRoot()
    {
        // A plain command named as people type it (./moesim): a RootCommand takes the name of the
        // process's entry assembly (MoESim.Cli), which help and usage would then print.
        var root = new Command("moesim", "MoESim: performance simulator for Mixture-of-Experts LLM inference.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        root.Add(SimulateCommand.Build());
        root.Add(RooflineCommand.Build());
        root.Add(ModelCommand.Build());
        root.Add(PlaceCommand.Build());
        root.Add(PlanCommand.Build());
        root.Add(TraceCommand.Build());
        root.Add(BenchCommand.Build());
        root.Add(ValidateCommand.Build());
        return root;
    }

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        // Numbers in tables, CSVs, reports and error messages are read by tools and people alike:
        // one format on every machine, whatever its locale (de-DE would print 0,5).
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return RunInvariant(args, stdout, stderr);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }
    }

    private static int RunInvariant(string[] args, TextWriter? stdout, TextWriter? stderr)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"moesim: {error.Message}");
            foreach (var token in parse.UnmatchedTokens)
                if (TypoSuggestions.For(parse.CommandResult.Command, token) is { } suggestion)
                    stderr.WriteLine($"moesim: '{token}': did you mean '{suggestion}'?");
            stderr.WriteLine($"moesim: see '{CommandPath(parse.CommandResult)} --help'");
            return ExitBadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr });
        }
        catch (InputException ex)
        {
            foreach (var error in ex.Errors) stderr.WriteLine(error.ToString());
            return ExitBadInput;
        }
        catch (SimTimeLimitException ex)
        {
            // Legal inputs that add up past the clock's range: a limit of the input, not a bug.
            stderr.WriteLine($"moesim: {ex.Message}");
            return ExitBadInput;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"moesim: {ex.Message}");
            return ExitBadInput;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("MOESIM_DEBUG") is null)
        {
            stderr.WriteLine($"moesim: internal error: {ex.GetType().Name}: {ex.Message} (set MOESIM_DEBUG=1 for a stack trace)");
            return ExitInternalError;
        }
    }

    // "moesim trace stats" for the command a parse ended in.
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Add(c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
