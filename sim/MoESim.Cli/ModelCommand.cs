using System.CommandLine;
using MoESim.Cost;
using MoESim.Models;

namespace MoESim.Cli;

/// <summary><c>moesim model import</c>: convert a Hugging Face config.json into MoESim's model YAML.</summary>
internal static class ModelCommand
{
    public static Command Build()
    {
        var config = new Argument<string>("config") { Description = "Path of a Hugging Face config.json (Mixtral, DeepSeek-V2/V3, Qwen3-MoE, OLMoE, Llama)" };
        var outPath = new Option<string?>("--out") { Description = "YAML file to write (default models/NAME.yaml)" }.WritableFile();
        var name = new Option<string?>("--name") { Description = "Model name (default: the config's folder name)" };
        var import = new Command("import", "Convert a Hugging Face config.json into models/*.yaml") { config, outPath, name };
        import.SetAction(parse =>
        {
            var path = parse.GetValue(config)!;
            var model = HuggingFaceConfigImporter.Import(path, parse.GetValue(name));
            var target = parse.GetValue(outPath) ?? Path.Combine(InputResolver.RepositoryRoot, "models", model.Name + ".yaml");
            ModelYamlWriter.Write(model, target, $"imported by moesim model import from {Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))}/{Path.GetFileName(path)}");
            var work = new ModelWork(model);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"{model.Name}: {model.NumLayers} layers ({model.NumMoeLayers} MoE), {work.TotalParameters / 1e9:F1}B parameters, {work.ActiveParametersIncludingInputEmbedding / 1e9:F2}B active per token ({work.ActiveParametersExcludingInputEmbedding / 1e9:F2}B without the input embedding)");
            output.WriteLine($"wrote: {DisplayPath.Of(target)}");
            return CliApp.ExitOk;
        });
        return new Command("model", "Model utilities") { import };
    }
}
