using MoESim.Config;
using MoESim.Traces;

namespace MoESim.Placement;

/// <summary>
/// Accumulates <see cref="RoutingStatistics"/> from routing steps, streamed from a trace reader
/// or built in memory. Costs O(layers × tokens × k²) time and O(layers × experts²) memory.
/// </summary>
public sealed class RoutingStatisticsBuilder
{
    private readonly TraceShape _shape;
    private readonly string _source;
    private readonly int _devices;
    private readonly double[][] _origin;
    private readonly double[][] _transitions;
    private long _tokens;
    private long _steps;

    /// <param name="shape">Model shape the steps must have.</param>
    /// <param name="numDevices">Devices tokens originate on (request id mod devices), ≥ 1.</param>
    /// <param name="source">Trace name for error messages.</param>
    public RoutingStatisticsBuilder(TraceShape shape, int numDevices, string source)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numDevices, 1);
        _shape = shape;
        _source = source;
        _devices = numDevices;
        _origin = new double[shape.NumMoeLayers][];
        for (var l = 0; l < shape.NumMoeLayers; l++) _origin[l] = new double[numDevices * shape.NumExperts];
        _transitions = new double[Math.Max(0, shape.NumMoeLayers - 1)][];
        for (var l = 0; l < _transitions.Length; l++) _transitions[l] = new double[shape.NumExperts * shape.NumExperts];
    }

    /// <summary>Counts one step; throws <see cref="InputException"/> when its shape or expert ids do not fit the model.</summary>
    public void Add(RoutingStep step)
    {
        if (step.NumMoeLayers != _shape.NumMoeLayers || step.TopK != _shape.TopK)
            throw new InputException(_source, "step", $"request {step.RequestId} iteration {step.Iteration} has {step.NumMoeLayers} MoE layers, top-{step.TopK}; the model has {_shape.Describe()}");
        var experts = _shape.NumExperts;
        var origin = (int)((uint)step.RequestId % (uint)_devices);
        for (var l = 0; l < step.NumMoeLayers; l++)
        {
            var counts = _origin[l];
            foreach (var e in step.Layer(l))
            {
                if ((uint)e >= (uint)experts)
                    throw new InputException(_source, "expert", $"request {step.RequestId} iteration {step.Iteration} layer {l} names expert {e}; the model has experts 0..{experts - 1}");
                counts[origin * experts + e]++;
            }
        }
        for (var l = 0; l + 1 < step.NumMoeLayers; l++)
        {
            var t = _transitions[l];
            for (var token = 0; token < step.TokenCount; token++)
            {
                var next = step.Experts(l + 1, token);
                foreach (var i in step.Experts(l, token))
                {
                    var row = i * experts;
                    foreach (var j in next) t[row + j]++;
                }
            }
        }
        _tokens += step.TokenCount;
        _steps++;
    }

    /// <summary>The statistics so far (the builder must not be used afterwards).</summary>
    public RoutingStatistics Build() =>
        new(_shape.NumMoeLayers, _shape.NumExperts, _shape.TopK, _devices, _tokens, _steps, _origin, _transitions);
}
