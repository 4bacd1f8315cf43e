using MoESim.Parallelism;
using MoESim.Traces;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Turns one step's routing into expert-parallel work: for every MoE layer, the token-expert
/// pairs and distinct experts each GPU computes, and the dispatch byte matrix (row = the
/// token's home GPU, column = the GPU of the chosen replica; one hidden-size activation per
/// pair that crosses GPUs, as the brief's per-pair model; deduplicating tokens that go to
/// several experts on one GPU, as DeepEP does, is not modelled). Combine is the transpose.
/// Buffers are reused from step to step.
/// </summary>
public sealed class MoeStepRouting
{
    private readonly ReplicaSelector _selector;
    private readonly int _devices;
    private readonly int _experts;
    private readonly int _layers;
    private readonly int _topK;
    private readonly long _bytesPerPair;
    private readonly int[] _pairs;        // [layer * devices + device]
    private readonly int[] _distinct;     // [layer * devices + device]
    private readonly long[] _dispatch;    // [layer * devices² + src * devices + dst]
    private readonly int[] _stamp;        // [device * experts + expert] -> last (layer, step) stamp seen
    private int _stampValue;

    /// <summary>
    /// Plans over <paramref name="placement"/> with <paramref name="topK"/> experts per token and
    /// <paramref name="bytesPerPair"/> (hidden size × activation bytes) per dispatched pair.
    /// </summary>
    public MoeStepRouting(ExpertPlacement placement, int topK, long bytesPerPair)
    {
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerPair);
        _selector = new ReplicaSelector(placement);
        _devices = placement.NumDevices;
        _experts = placement.NumExperts;
        _layers = placement.NumMoeLayers;
        _topK = topK;
        _bytesPerPair = bytesPerPair;
        _pairs = new int[_layers * _devices];
        _distinct = new int[_layers * _devices];
        _dispatch = new long[_layers * _devices * _devices];
        _stamp = new int[_devices * _experts];
    }

    /// <summary>GPUs the experts are spread over.</summary>
    public int Devices => _devices;

    /// <summary>MoE layers.</summary>
    public int MoeLayers => _layers;

    /// <summary>
    /// Plans a step of <paramref name="tokens"/> tokens. <paramref name="expertIds"/> is the
    /// routing source's layer-major buffer (index (layer × tokens + token) × k + choice) and
    /// <paramref name="homeDevice"/> each token's GPU.
    /// </summary>
    public void Plan(ReadOnlySpan<int> expertIds, ReadOnlySpan<int> homeDevice, int tokens)
    {
        if (expertIds.Length < _layers * tokens * _topK) throw new ArgumentException($"expected {_layers * tokens * _topK} expert ids, got {expertIds.Length}", nameof(expertIds));
        if (homeDevice.Length < tokens) throw new ArgumentException($"expected {tokens} home devices, got {homeDevice.Length}", nameof(homeDevice));
        Array.Clear(_pairs);
        Array.Clear(_distinct);
        Array.Clear(_dispatch);
        int n = _devices;
        for (int layer = 0; layer < _layers; layer++)
        {
            // A fresh stamp per layer marks which (device, expert) cells were seen this layer.
            if (++_stampValue == int.MaxValue)
            {
                Array.Clear(_stamp);
                _stampValue = 1;
            }
            int stamp = _stampValue;
            var ids = expertIds.Slice(layer * tokens * _topK, tokens * _topK);
            int pairBase = layer * n;
            int matrixBase = layer * n * n;
            for (int t = 0; t < tokens; t++)
            {
                int home = homeDevice[t];
                for (int k = 0; k < _topK; k++)
                {
                    int expert = ids[t * _topK + k];
                    int device = _selector.Choose(layer, expert, home);
                    _pairs[pairBase + device]++;
                    ref int seen = ref _stamp[device * _experts + expert];
                    if (seen != stamp)
                    {
                        seen = stamp;
                        _distinct[pairBase + device]++;
                    }
                    if (device != home) _dispatch[matrixBase + home * n + device] += _bytesPerPair;
                }
            }
        }
    }

    /// <summary>Token-expert pairs each GPU computes in MoE layer <paramref name="layer"/>.</summary>
    public ReadOnlySpan<int> PairsPerDevice(int layer) => _pairs.AsSpan(layer * _devices, _devices);

    /// <summary>Distinct experts each GPU runs in MoE layer <paramref name="layer"/> (whose weights it reads).</summary>
    public ReadOnlySpan<int> DistinctExpertsPerDevice(int layer) => _distinct.AsSpan(layer * _devices, _devices);

    /// <summary>Dispatch bytes of MoE layer <paramref name="layer"/>, [src × devices + dst]; the diagonal is zero.</summary>
    public ReadOnlySpan<long> DispatchBytes(int layer) => _dispatch.AsSpan(layer * _devices * _devices, _devices * _devices);

    /// <summary>Writes the combine matrix (the transpose of dispatch: results return home) of <paramref name="layer"/> into <paramref name="destination"/>.</summary>
    public void CombineBytes(int layer, Span<long> destination)
    {
        var d = DispatchBytes(layer);
        int n = _devices;
        for (int s = 0; s < n; s++)
            for (int t = 0; t < n; t++)
                destination[t * n + s] = d[s * n + t];
    }

    /// <summary>
    /// Dispatch bytes of MoE layer <paramref name="layer"/> for one decode step in which every
    /// GPU holds <paramref name="tokensPerDevice"/> sequences (token t lives on GPU
    /// t / tokensPerDevice), routed by <paramref name="router"/> over <paramref name="placement"/>:
    /// a ready-made all-to-all for benchmarks and placement studies. Returns [src × devices + dst].
    /// </summary>
    public static long[] DecodeStepDispatch(IRoutingSource router, ExpertPlacement placement, int tokensPerDevice, long bytesPerPair, int layer = 0)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerDevice, 1);
        int devices = placement.NumDevices, tokens = devices * tokensPerDevice;
        var batch = new RoutingBatch();
        for (int t = 0; t < tokens; t++) batch.Add(new SequenceSlice(t, 0, 1, IsPrefill: false));
        var ids = new int[router.NumMoeLayers * tokens * router.TopK];
        router.RouteTokens(batch, ids);
        var home = new int[tokens];
        for (int t = 0; t < tokens; t++) home[t] = t / tokensPerDevice;
        var routing = new MoeStepRouting(placement, router.TopK, bytesPerPair);
        routing.Plan(ids, home, tokens);
        return routing.DispatchBytes(layer).ToArray();
    }
}
