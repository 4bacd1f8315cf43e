using System.CommandLine;
using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Models;
using MoESim.Plots;

namespace MoESim.Cli;

/// <summary><c>moesim roofline</c>: place a model's operators on a device's roofline.</summary>
internal static class RooflineCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model name or YAML path", DefaultValueFactory = _ => SimulateCommand.DefaultModel };
        var hardware = new Option<string>("--hardware") { Description = "Device profile name or YAML path", DefaultValueFactory = _ => SimulateCommand.DefaultHardware };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length of the prefill point (tokens)", DefaultValueFactory = _ => 2048 }.InRange(1);
        var context = new Option<int>("--context-tokens") { Description = "Context length of each decode sequence (tokens)", DefaultValueFactory = _ => 2048 }.InRange(1);
        var outDir = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "out/roofline" }.WritableFolder();
        var command = new Command("roofline", "Draw a log-log roofline of a device with a model's operators for prefill and decode batch sizes 1..1024")
        {
            model, hardware, prompt, context, outDir,
        };
        command.SetAction(parse =>
        {
            var m = ModelLoader.Load(InputResolver.Model(parse.GetValue(model)!));
            var device = DeviceProfileLoader.Load(InputResolver.Hardware(parse.GetValue(hardware)!));
            if (parse.GetValue(prompt) < 1 || parse.GetValue(context) < 1)
                throw new Config.InputException("options", "--prompt-tokens/--context-tokens", "must be at least 1");
            var cost = new IterationCostModel(new ModelWork(m), new RooflineTimeModel(device));
            var series = RooflineAnalysis.Analyse(cost, parse.GetValue(prompt), parse.GetValue(context));
            var folder = parse.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            var csv = Path.Combine(folder, $"roofline_{m.Name}_{device.Name}.csv");
            RooflineCsv.Write(csv, series);
            var chart = RooflineFigure.Save(device, m.Name, series, Path.Combine(folder, $"roofline_{m.Name}_{device.Name}"));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"roofline of {m.Name} on {device.Name}: {series.Sum(s => s.Operators.Count)} operator points in {series.Count} batch settings");
            output.WriteLine($"wrote: {DisplayPath.Join([chart.PngPath, chart.SvgPath, csv])}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
