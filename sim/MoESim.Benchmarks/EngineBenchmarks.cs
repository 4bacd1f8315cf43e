using BenchmarkDotNet.Attributes;
using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Benchmarks;

/// <summary>
/// Throughput of the discrete-event engine. Each benchmark reports time per operation
/// (OperationsPerInvoke), so events per second = 1e9 / (mean ns). Run with
/// <c>dotnet run -c Release --project sim/MoESim.Benchmarks -- --filter *EngineBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private const int Events = 1_000_000;
    private const int Flows = 20_000;

    /// <summary>One million events through the queue with 8 targets rescheduling themselves (a shallow heap, the common case).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long EventDispatch8Targets() => Dispatch(8);

    /// <summary>The same with 1024 pending events, to show the heap's log-depth cost.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long EventDispatch1024Targets() => Dispatch(1024);

    /// <summary>Flows started and completed on a small shared topology (per flow: solve, events, pooling).</summary>
    [Benchmark(OperationsPerInvoke = Flows)]
    public long FlowCompletion()
    {
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int a = net.AddLink("a", 100e9, 1e-6);
        int b = net.AddLink("b", 50e9, 1e-6);
        int c = net.AddLink("c", 25e9, 0);
        var driver = new FlowDriver(net, [[a], [a, b], [b, c], [c]], Flows);
        sim.Schedule(SimTime.Zero, driver, 0);
        sim.Run();
        return net.FlowsCompleted;
    }

    private static long Dispatch(int targets)
    {
        var sim = new Simulator(targets * 2);
        var budget = new Budget { Remaining = Events - targets };
        for (int i = 0; i < targets; i++)
            sim.Schedule(SimTime.Zero, new Rescheduler(budget, 1000 + 37 * i), 0);
        sim.Run();
        return sim.EventsProcessed;
    }

    private sealed class Budget
    {
        public long Remaining;
    }

    private sealed class Rescheduler(Budget budget, long periodPicoseconds) : IEventTarget
    {
        private readonly SimTime _period = new(periodPicoseconds);

        public void OnEvent(Simulator sim, int kind, long arg0, long arg1)
        {
            if (budget.Remaining-- > 0)
                sim.ScheduleAfter(_period, this, kind, arg0 + 1, arg1);
        }
    }

    /// <summary>Keeps one flow per route in flight until the budget of flows is spent.</summary>
    private sealed class FlowDriver(FlowNetwork net, int[][] routes, int flows) : IEventTarget
    {
        private int _started;

        public void OnEvent(Simulator sim, int kind, long arg0, long arg1)
        {
            if (kind == 0)
            {
                for (int r = 0; r < routes.Length; r++)
                    Start(r);
                return;
            }
            Start((int)arg0);
        }

        private void Start(int route)
        {
            if (_started++ < flows)
                net.StartFlow(1_000_000 + 10_000 * route, routes[route], this, 1, route);
        }
    }
}
