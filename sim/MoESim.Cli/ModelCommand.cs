using System.CommandLine;

namespace MoESim.Cli;

/// <summary><c>moesim model ...</c>: model utilities.</summary>
internal static class ModelCommand
{
    public static Command Build()
    {
        var command = new Command("model", "Model utilities");
        return command;
    }
}
