using MoESim.Engine;
using MoESim.Results;
using MoESim.Traces;

namespace MoESim.Serving.Loop;

/// <summary>
/// Serving instances on one clock: each instance keeps its own scheduler and step planner, but
/// every event of every instance goes through one <see cref="Engine.Simulator"/>, so instances
/// can hand requests to each other (<see cref="KvHandOff"/>) and contend for shared links, which
/// prefill/decode disaggregation needs. A request router splits a stream over instances.
/// </summary>
public sealed class Cluster
{
    private readonly List<ServingInstance> _instances = new();

    /// <summary>A cluster whose instances all run on <paramref name="simulator"/>.</summary>
    public Cluster(Simulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        Simulator = simulator;
    }

    /// <summary>The one clock of every instance.</summary>
    public Simulator Simulator { get; }

    /// <summary>The instances, in the order they were added.</summary>
    public IReadOnlyList<ServingInstance> Instances => _instances;

    /// <summary>Adds <paramref name="instance"/>, which must run on this cluster's simulator.</summary>
    public ServingInstance Add(ServingInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (!ReferenceEquals(instance.Simulator, Simulator))
            throw new ArgumentException("an instance of a cluster must run on the cluster's simulator", nameof(instance));
        _instances.Add(instance);
        return instance;
    }

    /// <summary>
    /// Splits <paramref name="requests"/> (in arrival order) over <paramref name="instances"/>
    /// instances by <paramref name="router"/>; each share keeps arrival order.
    /// </summary>
    public static IReadOnlyList<Request>[] Split(IReadOnlyList<Request> requests, IRequestRouter router, int instances)
    {
        if (instances < 1) throw new ArgumentOutOfRangeException(nameof(instances), instances, "a cluster needs at least one instance");
        var shares = new List<Request>[instances];
        for (int i = 0; i < instances; i++) shares[i] = new List<Request>();
        for (int i = 0; i < requests.Count; i++)
        {
            int to = router.Route(requests[i], i, instances);
            if ((uint)to >= (uint)instances)
                throw new InvalidOperationException($"request router sent request {requests[i].Id} to instance {to} of {instances}");
            shares[to].Add(requests[i]);
        }
        return shares;
    }

    /// <summary>Starts every instance, runs the shared clock until no event is left, and returns each instance's result in order.</summary>
    public IReadOnlyList<SimulationResult> Run()
    {
        foreach (var instance in _instances) instance.Start();
        Simulator.Run();
        var results = new SimulationResult[_instances.Count];
        for (int i = 0; i < results.Length; i++) results[i] = _instances[i].Result();
        return results;
    }
}
