using System.CommandLine;
using MoESim.Bench.Profile;
using MoESim.Bench.Validation;
using MoESim.Config;
using MoESim.Hardware;
using MoESim.Plots;

namespace MoESim.Cli;

/// <summary><c>moesim validate</c>: predict every benchmarked case from a measured profile and report the error.</summary>
internal static class ValidateCommand
{
    public static Command Build()
    {
        var measured = new Option<string?>("--measured") { Description = "Measured profile YAML (its .csv must sit beside it); default: the newest in hardware-profiles/measured" };
        var outDir = new Option<string>("--out") { Description = "Output folder for validation.csv, validation.md and the parity plot", DefaultValueFactory = _ => "out/validate" }.WritableFolder();
        var command = new Command("validate", "Compare the cost model's predictions from a measured profile with the measured kernel times: error table, CSV, markdown and parity plot")
        {
            measured, outDir,
        };
        command.SetAction(parse =>
        {
            var profilePath = parse.GetValue(measured) ?? Newest();
            var profile = DeviceProfileLoader.Load(profilePath);
            if (profile.Calibration is null)
                throw new InputException(profilePath, "calibration", "the profile has no calibration section (write one with `moesim bench`)");
            var measurements = MeasurementCsv.Read(Path.ChangeExtension(profilePath, ".csv"));
            var rows = Validator.Predict(profile, measurements, out var unpredictable);
            if (rows.Count == 0) throw new InputException(profilePath, "calibration", "no measured case could be predicted from this profile's calibrated families");
            var summaries = ErrorSummary.Summarise(rows);
            var folder = parse.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            var stem = Path.GetFileNameWithoutExtension(profilePath);
            var csv = Path.Combine(folder, $"validation_{stem}.csv");
            var md = Path.Combine(folder, $"validation_{stem}.md");
            ValidationReport.WriteCsv(csv, rows);
            var chart = ParityChart.Save(new ParityChartData
            {
                Title = $"Predicted vs measured: {stem}",
                Points = rows.Select(r => new ParityPoint(r.Family, r.MeasuredSeconds, r.PredictedSeconds, !r.Fit)).ToList(),
            }, Path.Combine(folder, $"parity_{stem}"));
            ValidationReport.WriteMarkdown(md, profilePath, summaries, unpredictable, Path.GetFileName(chart.PngPath));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"validation of {profilePath}: {rows.Count} cases (fit = used to fit the family models; held-out = not used; composites never fitted)");
            output.Write(ValidationReport.Table(summaries));
            foreach (var u in unpredictable) output.WriteLine($"not predicted: {u}");
            output.WriteLine($"wrote: {DisplayPath.Join([csv, md, chart.PngPath, chart.SvgPath])}");
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>The measured profile with the latest date in its name (then latest write time).</summary>
    private static string Newest()
    {
        var folder = Path.Combine(InputResolver.RepositoryRoot, BenchCommand.MeasuredFolder);
        var profiles = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.yaml") : Array.Empty<string>();
        if (profiles.Length == 0)
            throw new InputException(folder, "--measured", "no measured profile found; run `moesim bench --quick` first or pass --measured PROFILE.yaml");
        var newest = profiles.OrderBy(p => Path.GetFileNameWithoutExtension(p)[^Math.Min(10, Path.GetFileNameWithoutExtension(p).Length)..], StringComparer.Ordinal)
            .ThenBy(File.GetLastWriteTimeUtc).Last();
        return Path.GetRelativePath(Directory.GetCurrentDirectory(), newest);
    }
}
