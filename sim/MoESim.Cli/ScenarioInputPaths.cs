using MoESim.Config;
using MoESim.IO;

namespace MoESim.Cli;

/// <summary>
/// How a scenario file's names and paths resolve: an existing path relative to the current
/// folder, else relative to the repository root; a model, hardware or system value that is no
/// such path is a shipped name as the matching flag takes it (<c>mixtral-8x7b</c>,
/// <c>h100-sxm</c>, <c>systems/dgx-h100</c>).
/// </summary>
internal sealed class ScenarioInputPaths : IInputPathResolver
{
    public string Model(string nameOrPath) => InputResolver.Existing(nameOrPath) ?? InputResolver.Model(nameOrPath);

    public string Hardware(string nameOrPath) => InputResolver.Existing(nameOrPath) ?? InputResolver.Hardware(nameOrPath);

    public string System(string nameOrPath) => InputResolver.Existing(nameOrPath) ?? InputResolver.System(nameOrPath);

    public string File(string path) => InputResolver.Existing(path)
        ?? throw new InputException(path, "", $"file not found (relative paths are looked up from the current folder, then from the repository root {InputResolver.RepositoryRoot})");
}
