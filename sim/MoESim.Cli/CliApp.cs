namespace MoESim.Cli;

/// <summary>Builds the command tree and runs it. (Commands are added as features land.)</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("moesim: no commands yet");
        return args.Length == 0 ? 1 : 1;
    }
}
