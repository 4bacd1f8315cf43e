using Spectre.Console;

namespace MoESim.Cli;

/// <summary>
/// Shows a progress bar for long work when stdout is an interactive terminal, and nothing in
/// CI or when output is piped (Spectre prints nothing there; the CI variable is checked too).
/// </summary>
internal static class ConsoleProgress
{
    public static bool Enabled =>
        AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Runs <paramref name="work"/>, feeding a bar labelled <paramref name="label"/> when enabled.</summary>
    public static T Run<T>(string label, Func<IProgress<double>?, T> work)
    {
        if (!Enabled) return work(null);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: 1.0);
                result = work(new Progress<double>(v => task.Value = v));
                task.Value = 1.0;
            });
        return result;
    }
}
