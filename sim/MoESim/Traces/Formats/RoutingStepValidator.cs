using System.Numerics;

namespace MoESim.Traces.Formats;

/// <summary>
/// Checks that every reader applies to each step: expert ids in range, k distinct experts per
/// token and layer, and, across steps of one request, increasing iterations, non-overlapping
/// token positions and no prefill after decode. Readers turn a <see cref="StepProblem"/> into an
/// input error naming their own location (line or chunk offset).
/// </summary>
public sealed class RoutingStepValidator
{
    private readonly TraceShape _shape;
    private readonly Dictionary<int, Progress> _progress = new();
    private readonly int[] _stamp;
    private int _serial;

    /// <summary>Validates steps of a trace of <paramref name="shape"/>.</summary>
    public RoutingStepValidator(TraceShape shape)
    {
        _shape = shape;
        _stamp = shape.NumExperts > 64 ? new int[shape.NumExperts] : [];
    }

    /// <summary>False after a seek: order can only be checked in a front-to-back pass.</summary>
    public bool CheckOrder { get; set; } = true;

    /// <summary>Checks ids and ordering; null when the step is fine.</summary>
    public StepProblem? Check(RoutingStep step) => CheckSelections(step) ?? (CheckOrder ? CheckSequence(step) : null);

    /// <summary>Expert ids in 0..experts-1 and distinct within each token's top-k.</summary>
    public StepProblem? CheckSelections(RoutingStep step)
    {
        var ids = step.ExpertIds;
        var k = step.TopK;
        var experts = _shape.NumExperts;
        var bad = ids.IndexOfAnyExceptInRange(0, experts - 1);
        if (bad >= 0)
        {
            var (layer, token) = Locate(step, bad);
            return new StepProblem("experts", $"expert id {ids[bad]} out of range 0..{experts - 1} (layer {layer}, token {step.FirstTokenIndex + token})");
        }
        if (k == 1) return null;
        if (experts <= 64)
        {
            for (var start = 0; start < ids.Length; start += k)
            {
                ulong mask = 0;
                for (var j = 0; j < k; j++) mask |= 1UL << ids[start + j];
                if (BitOperations.PopCount(mask) != k) return Duplicate(step, start);
            }
            return null;
        }
        for (var start = 0; start < ids.Length; start += k)
        {
            if (++_serial == int.MaxValue)
            {
                Array.Clear(_stamp);
                _serial = 1;
            }
            for (var j = 0; j < k; j++)
            {
                ref var s = ref _stamp[ids[start + j]];
                if (s == _serial) return Duplicate(step, start);
                s = _serial;
            }
        }
        return null;
    }

    private static StepProblem Duplicate(RoutingStep step, int start)
    {
        var ids = step.ExpertIds.Slice(start, step.TopK);
        var (layer, token) = Locate(step, start);
        var repeated = -1;
        for (var a = 0; a < ids.Length && repeated < 0; a++)
            for (var b = a + 1; b < ids.Length; b++)
                if (ids[a] == ids[b]) { repeated = ids[a]; break; }
        return new StepProblem("experts", $"expert {repeated} appears twice in the top-{step.TopK} of token {step.FirstTokenIndex + token} at layer {layer}");
    }

    private static (int Layer, int Token) Locate(RoutingStep step, int index)
    {
        var perLayer = step.TokenCount * step.TopK;
        return (index / perLayer, index % perLayer / step.TopK);
    }

    /// <summary>Within a request: iterations increase, tokens never go back, prefill precedes decode.</summary>
    public StepProblem? CheckSequence(RoutingStep step)
    {
        if (step.RequestId < 0) return new StepProblem("request", $"request id {step.RequestId} is negative");
        if (step.Iteration < 0) return new StepProblem("iteration", $"iteration {step.Iteration} is negative");
        if (step.FirstTokenIndex < 0) return new StepProblem("first_token", $"first token index {step.FirstTokenIndex} is negative");
        var end = (long)step.FirstTokenIndex + step.TokenCount;
        if (_progress.TryGetValue(step.RequestId, out var last))
        {
            if (step.Iteration <= last.Iteration)
                return new StepProblem("iteration", $"iterations of request {step.RequestId} must increase: {step.Iteration} after {last.Iteration}");
            if (step.FirstTokenIndex < last.EndToken)
                return new StepProblem("first_token", $"request {step.RequestId} iteration {step.Iteration} starts at token {step.FirstTokenIndex}, before the previous step's end {last.EndToken}");
            if (step.Iteration == last.Iteration + 1 && step.FirstTokenIndex != last.EndToken)
                return new StepProblem("first_token", $"request {step.RequestId} iteration {step.Iteration} starts at token {step.FirstTokenIndex}; consecutive iterations must continue at token {last.EndToken}");
            if (step.IsPrefill && !last.IsPrefill)
                return new StepProblem("phase", $"request {step.RequestId} has a prefill step (iteration {step.Iteration}) after a decode step");
        }
        _progress[step.RequestId] = new Progress(step.Iteration, end, step.IsPrefill);
        return null;
    }

    private readonly record struct Progress(int Iteration, long EndToken, bool IsPrefill);
}
