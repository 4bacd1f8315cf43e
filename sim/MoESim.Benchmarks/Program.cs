using BenchmarkDotNet.Running;

namespace MoESim.Benchmarks;

internal static class Program
{
    // "scale ..." runs the Stopwatch scale measurements (ScaleBenchmark); anything else goes to BenchmarkDotNet.
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "scale") return ScaleBenchmark.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
