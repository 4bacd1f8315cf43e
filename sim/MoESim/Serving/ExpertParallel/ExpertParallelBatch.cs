using MoESim.Cost;
using MoESim.Traces;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Splits one step's batch over the layout: sequence (request) r belongs to data-parallel
/// group r mod DP; inside a group, the group's tokens are dealt round-robin to its TP GPUs, which
/// is where each token lives for router, shared experts, dispatch and combine (the usual way
/// TP attention hands tokens to EP experts). Also yields every group's batch shape for
/// attention. Buffers are reused from step to step.
/// </summary>
public sealed class ExpertParallelBatch
{
    private readonly IReadOnlyList<Request> _requests;
    private readonly int _tp;
    private readonly int _dp;
    private readonly BatchShape[] _groups;
    private readonly int[] _groupTokens;
    private readonly int[] _deviceTokens;
    private int[] _home = new int[256];

    /// <summary>A splitter for <paramref name="requests"/> over <paramref name="devices"/> GPUs in groups of <paramref name="tensorParallel"/>.</summary>
    public ExpertParallelBatch(IReadOnlyList<Request> requests, int devices, int tensorParallel)
    {
        _requests = requests;
        _tp = tensorParallel;
        _dp = devices / tensorParallel;
        _groups = new BatchShape[_dp];
        _groupTokens = new int[_dp];
        _deviceTokens = new int[devices];
    }

    /// <summary>Data-parallel groups.</summary>
    public int Groups => _dp;

    /// <summary>GPU of each token of the last step, in routing order.</summary>
    public ReadOnlySpan<int> HomeDevice => _home.AsSpan(0, Tokens);

    /// <summary>Tokens in the last step.</summary>
    public int Tokens { get; private set; }

    /// <summary>Batch shape of group <paramref name="group"/> in the last step.</summary>
    public ref readonly BatchShape Group(int group) => ref _groups[group];

    /// <summary>Tokens living on <paramref name="device"/> in the last step.</summary>
    public int DeviceTokens(int device) => _deviceTokens[device];

    /// <summary>Group of <paramref name="device"/>.</summary>
    public int GroupOf(int device) => device / _tp;

    /// <summary>Splits <paramref name="batch"/> (as formed by the scheduler).</summary>
    public void Split(RoutingBatch batch)
    {
        int tokens = (int)batch.Tokens;
        if (_home.Length < tokens) _home = new int[Math.Max(tokens, _home.Length * 2)];
        Array.Clear(_groups);
        Array.Clear(_groupTokens);
        Array.Clear(_deviceTokens);
        int t = 0;
        foreach (var slice in batch.Slices)
        {
            int g = slice.RequestId % _dp;
            ref var shape = ref _groups[g];
            int n = slice.TokenCount;
            if (slice.IsPrefill)
            {
                long c = slice.FirstTokenIndex;
                shape = shape with
                {
                    PrefillTokens = shape.PrefillTokens + n,
                    PrefillSequences = shape.PrefillSequences + 1,
                    PrefillAttendedPairs = shape.PrefillAttendedPairs + (double)n * c + n * (n + 1.0) / 2.0,
                    PrefillCachedTokens = shape.PrefillCachedTokens + c,
                    PrefillCompletions = shape.PrefillCompletions + (c + n == _requests[slice.RequestId].PromptTokens ? 1 : 0),
                };
            }
            else
            {
                shape = shape with
                {
                    DecodeSequences = shape.DecodeSequences + 1,
                    DecodeContextTokens = shape.DecodeContextTokens + slice.FirstTokenIndex + 1,
                };
            }
            for (int i = 0; i < n; i++)
            {
                int device = g * _tp + _groupTokens[g]++ % _tp;
                _home[t++] = device;
                _deviceTokens[device]++;
            }
        }
        Tokens = t;
    }
}
