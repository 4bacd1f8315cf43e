using MoESim.Cost;
using MoESim.Engine;
using MoESim.Serving.Loop;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving.Steps;

/// <summary>
/// Runs a step on one device as a single job on its compute unit, lasting the sum of every
/// operator's time over the model's layers (<see cref="IterationCostModel"/>); the router only
/// decides how many distinct experts each MoE layer's batch touches, which sets the routed
/// experts' weight traffic. Nothing else runs beside the pass, so one job per step is exact and
/// keeps the event count at one per step.
/// </summary>
public sealed class WholePassPlanner : IStepPlanner
{
    private readonly IterationCostModel _cost;
    private readonly IRoutingSource? _router;
    private readonly ComputeUnit _device;
    private readonly int[] _distinct;
    private IterationCost _last;

    /// <summary>A planner costing steps with <paramref name="cost"/> on <paramref name="device"/>, routed by <paramref name="router"/> (null for a dense model).</summary>
    public WholePassPlanner(IterationCostModel cost, ComputeUnit device, IRoutingSource? router)
    {
        _cost = cost;
        _device = device;
        _router = router;
        _distinct = new int[router?.NumMoeLayers ?? 0];
    }

    /// <inheritdoc/>
    public double LastStepFlops => _last.Flops;

    /// <inheritdoc/>
    public double LastStepBytes => _last.Bytes;

    /// <inheritdoc/>
    public double BusySeconds => _device.BookedBusyTime.Seconds;

    /// <inheritdoc/>
    public void StartStep(in BatchShape batch, RoutingBatch routing, IEventTarget onDone, int kind)
    {
        if (_router is not null) _router.RouteDistinct(routing, _distinct);
        _last = _cost.Evaluate(batch, _distinct);
        var label = batch.PrefillTokens == 0 ? "decode" : batch.DecodeSequences == 0 ? "prefill" : "prefill+decode";
        // The compute unit delivers the step's end to the instance: one event per step.
        _device.Submit(SimTime.FromSeconds(_last.Seconds), onDone, kind, 0, 0, label);
    }
}
