using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        _stamp = new int[shape.NumExperts];
    }

    /// <summary>False after a seek: order can only be checked in a front-to-back pass.</summary>
    public bool CheckOrder { get; set; } = true;

    /// <summary>Checks ids and ordering; null when the step is fine.</summary>
    public StepProblem? Check(RoutingStep step) => CheckSelections(step) ?? (CheckOrder ? CheckSequence(step) : null);

    /// <summary>Expert ids in 0..experts-1 and distinct within each token's top-k.</summary>
    public StepProblem? CheckSelections(RoutingStep step) =>
        CheckSelections<int>(step.ExpertIds, step.TokenCount, step.TopK, step.FirstTokenIndex);

    /// <summary>
    /// Expert ids in 0..experts-1 and distinct within each token's top-k, for ids in any integer
    /// width (packed uint8/uint16 straight from a binary chunk, or ints); layout as
    /// <see cref="RoutingStep.ExpertIds"/> with <paramref name="tokenCount"/> tokens.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public StepProblem? CheckSelections<T>(ReadOnlySpan<T> ids, int tokenCount, int topK, int firstTokenIndex) where T : unmanaged, IBinaryInteger<T>
    {
        var experts = _shape.NumExperts;
        // Every uint8 value is a valid id of a 256-expert model: nothing to scan.
        var allFit = typeof(T) == typeof(byte) && experts >= 256;
        var bad = allFit ? -1 : ids.IndexOfAnyExceptInRange(T.Zero, T.CreateTruncating(experts - 1));
        if (bad >= 0)
        {
            var (layer, token) = Locate(tokenCount, topK, bad);
            return new StepProblem("experts", $"expert id {ids[bad]} out of range 0..{experts - 1} (layer {layer}, token {firstTokenIndex + token})", layer, token);
        }
        if (topK == 1) return null;
        var repeat = DuplicateExpertScan.FindFirst(ids, topK, _stamp, ref _serial);
        return repeat < 0 ? null : Duplicate(ids, tokenCount, topK, firstTokenIndex, repeat);
    }

    private static StepProblem Duplicate<T>(ReadOnlySpan<T> all, int tokenCount, int topK, int firstTokenIndex, int start) where T : unmanaged, IBinaryInteger<T>
    {
        var ids = all.Slice(start, topK);
        var (layer, token) = Locate(tokenCount, topK, start);
        var repeated = -1;
        for (var a = 0; a < ids.Length && repeated < 0; a++)
            for (var b = a + 1; b < ids.Length; b++)
                if (ids[a] == ids[b]) { repeated = int.CreateTruncating(ids[a]); break; }
        return new StepProblem("experts", $"expert {repeated} appears twice in the top-{topK} of token {firstTokenIndex + token} at layer {layer}", layer, token);
    }

    private static (int Layer, int Token) Locate(int tokenCount, int topK, int index)
    {
        var perLayer = tokenCount * topK;
        return (index / perLayer, index % perLayer / topK);
    }

    /// <summary>Within a request: iterations increase, tokens never go back, prefill precedes decode.</summary>
    public StepProblem? CheckSequence(RoutingStep step) =>
        CheckSequence(step.RequestId, step.Iteration, step.FirstTokenIndex, step.TokenCount, step.IsPrefill);

    /// <summary>The same checks from a step's header fields (for packed steps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public StepProblem? CheckSequence(int requestId, int iteration, int firstTokenIndex, int tokenCount, bool isPrefill)
    {
        if (requestId < 0) return new StepProblem("request", $"request id {requestId} is negative");
        if (iteration < 0) return new StepProblem("iteration", $"iteration {iteration} is negative");
        if (firstTokenIndex < 0) return new StepProblem("first_token", $"first token index {firstTokenIndex} is negative");
        var end = (long)firstTokenIndex + tokenCount;
        // One hash lookup per step: the entry is added (or found) and updated in place.
        ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(_progress, requestId, out var exists);
        if (exists)
        {
            if (iteration <= last.Iteration)
                return new StepProblem("iteration", $"iterations of request {requestId} must increase: {iteration} after {last.Iteration}");
            if (firstTokenIndex < last.EndToken)
                return new StepProblem("first_token", $"request {requestId} iteration {iteration} starts at token {firstTokenIndex}, before the previous step's end {last.EndToken}");
            if (iteration == last.Iteration + 1 && firstTokenIndex != last.EndToken)
                return new StepProblem("first_token", $"request {requestId} iteration {iteration} starts at token {firstTokenIndex}; consecutive iterations must continue at token {last.EndToken}");
            if (isPrefill && !last.IsPrefill)
                return new StepProblem("phase", $"request {requestId} has a prefill step (iteration {iteration}) after a decode step");
        }
        last = new Progress(iteration, end, isPrefill);
        return null;
    }

    private readonly record struct Progress(int Iteration, long EndToken, bool IsPrefill);
}
