namespace MoESim.IO;

/// <summary>
/// Turns the names and paths a scenario file writes into file paths, the same way the command
/// line resolves its flags. Each method throws <see cref="Config.InputException"/> when nothing
/// matches; the scenario loader reports its problem at the key's line and column.
/// </summary>
public interface IInputPathResolver
{
    /// <summary>A model: a path, or a name under models/ (<c>mixtral-8x7b</c>).</summary>
    string Model(string nameOrPath);

    /// <summary>A device profile: a path, or a name under hardware-profiles/ (<c>h100-sxm</c>).</summary>
    string Hardware(string nameOrPath);

    /// <summary>A system profile: a path, or a name under hardware-profiles/systems/ (<c>dgx-h100</c> or <c>systems/dgx-h100</c>).</summary>
    string System(string nameOrPath);

    /// <summary>Any other input file (request CSV, expert trace, router parameters, placement).</summary>
    string File(string path);
}
