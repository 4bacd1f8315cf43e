using MoESim.Collectives;
using MoESim.Parallelism;
using MoESim.Traces;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Turns one step's routing into expert-parallel work: for every MoE layer, the token-expert
/// pairs and distinct experts each GPU computes, and what the dispatch and combine send. With
/// <see cref="DispatchPayload.PerExpert"/> that is a byte matrix (row = the token's home GPU,
/// column = the GPU of the chosen replica) with one hidden-size activation per pair that
/// crosses GPUs; combine is its transpose. With <see cref="DispatchPayload.PerDevice"/> a token
/// goes once to each GPU it needs; over a rail-forwarded all-to-all it also crosses the fabric
/// once per machine (to its rail peer there, which forwards it over NVLink), and combine
/// reduces the outputs on each expert GPU and then on that rail GPU before one copy per
/// machine crosses back (<see cref="AllToAllTraffic"/>; the NVLink reduction runs alongside
/// the fabric transfer, as DeepEP pipelines them in chunks). Buffers are reused from step to step.
/// </summary>
public sealed class MoeStepRouting
{
    private readonly ReplicaSelector _selector;
    private readonly int _devices;
    private readonly int _experts;
    private readonly int _layers;
    private readonly int _topK;
    private readonly long _bytesPerPair;
    private readonly bool _perDevice;
    private readonly AllToAll? _rail;     // the rail-forwarded exchange whose legs are planned, or null
    private readonly int[] _pairs;        // [layer * devices + device]
    private readonly int[] _distinct;     // [layer * devices + device]
    private readonly long[] _dispatch;    // [layer * devices² + src * devices + dst]
    private readonly AllToAllTraffic[] _dispatchLegs = []; // per layer, rail-forwarded per-device payload only
    private readonly AllToAllTraffic[] _combineLegs = [];
    private readonly int[] _stamp;        // [device * experts + expert] -> last (layer, step) stamp seen
    private int _stampValue;

    /// <summary>
    /// Plans over <paramref name="placement"/> with <paramref name="topK"/> experts per token and
    /// <paramref name="bytesPerPair"/> (hidden size × activation bytes) per dispatched copy;
    /// <paramref name="payload"/> decides what a token sends, and <paramref name="exchange"/>
    /// (the all-to-all that will carry it, over every GPU) whether fabric legs are planned.
    /// </summary>
    public MoeStepRouting(ExpertPlacement placement, int topK, long bytesPerPair,
        DispatchPayload payload = DispatchPayload.PerExpert, AllToAll? exchange = null)
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
        _perDevice = payload == DispatchPayload.PerDevice;
        _pairs = new int[_layers * _devices];
        _distinct = new int[_layers * _devices];
        _dispatch = new long[_layers * _devices * _devices];
        _stamp = new int[_devices * _experts];
        if (_perDevice && exchange is { Algorithm: AllToAllAlgorithm.RailForwarded })
        {
            if (exchange.Ranks != _devices)
                throw new ArgumentException($"the all-to-all has {exchange.Ranks} ranks, the placement {_devices} devices", nameof(exchange));
            _rail = exchange;
            _dispatchLegs = new AllToAllTraffic[_layers];
            _combineLegs = new AllToAllTraffic[_layers];
            for (int l = 0; l < _layers; l++)
            {
                _dispatchLegs[l] = new AllToAllTraffic(_devices, exchange.Machines);
                _combineLegs[l] = new AllToAllTraffic(_devices, exchange.Machines);
            }
        }
    }

    /// <summary>GPUs the experts are spread over.</summary>
    public int Devices => _devices;

    /// <summary>MoE layers.</summary>
    public int MoeLayers => _layers;

    /// <summary>
    /// True when dispatch and combine run as rail-forwarded legs (<see cref="DispatchLegs"/>,
    /// <see cref="CombineLegs"/>) rather than the byte matrices.
    /// </summary>
    public bool PlansRailLegs => _rail is not null;

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
        if (_rail is null) Array.Clear(_dispatch); // with rail legs the matrix is not used: not kept either
        int n = _devices;
        // The GPUs and machines a token has already been sent to in this layer (per-device payload).
        Span<int> sentTo = stackalloc int[_topK];
        Span<int> sentToMachine = stackalloc int[_topK];
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
            var dispatchLegs = _rail is null ? null : _dispatchLegs[layer];
            var combineLegs = _rail is null ? null : _combineLegs[layer];
            dispatchLegs?.Clear();
            combineLegs?.Clear();
            for (int t = 0; t < tokens; t++)
            {
                int home = homeDevice[t];
                int devicesSent = 0, machinesSent = 0;
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
                    if (device == home) continue;
                    if (_perDevice)
                    {
                        if (sentTo[..devicesSent].Contains(device)) continue;
                        sentTo[devicesSent++] = device;
                    }
                    if (dispatchLegs is not null)
                        PlanLegs(dispatchLegs, combineLegs!, home, device, sentToMachine, ref machinesSent);
                    else _dispatch[matrixBase + home * n + device] += _bytesPerPair;
                }
            }
        }
    }

    // One copy of a token from its home GPU to a GPU that runs some of its experts, leg by leg.
    private void PlanLegs(AllToAllTraffic dispatch, AllToAllTraffic combine, int home, int device, Span<int> sentToMachine, ref int machinesSent)
    {
        var rail = _rail!;
        int n = _devices, machines = rail.Machines;
        int homeMachine = rail.MachineOf(home), machine = rail.MachineOf(device);
        long b = _bytesPerPair;
        if (machine == homeMachine)
        {
            dispatch.Local[home * n + device] += b;
            combine.Local[device * n + home] += b;
            return;
        }
        // Across machines the token travels over its home GPU's rail: to the GPU with the same
        // local index there, which forwards it; on the way back that GPU gathers the reduced
        // outputs of its machine and sends one copy straight to the home GPU (its rail peer).
        int peer = rail.RailPeer(home, machine);
        if (!sentToMachine[..machinesSent].Contains(machine))
        {
            sentToMachine[machinesSent++] = machine;
            dispatch.Fabric[home * machines + machine] += b;
            combine.Fabric[peer * machines + homeMachine] += b;
        }
        if (device == peer) return;
        dispatch.Forward[peer * n + device] += b;
        combine.Gather[device * n + peer] += b;
    }

    /// <summary>Dispatch legs of MoE layer <paramref name="layer"/> when <see cref="PlansRailLegs"/>.</summary>
    public AllToAllTraffic DispatchLegs(int layer) =>
        _rail is null ? throw new InvalidOperationException("no rail legs are planned (per-expert payload or a direct all-to-all)") : _dispatchLegs[layer];

    /// <summary>Combine legs of MoE layer <paramref name="layer"/> when <see cref="PlansRailLegs"/>.</summary>
    public AllToAllTraffic CombineLegs(int layer) =>
        _rail is null ? throw new InvalidOperationException("no rail legs are planned (per-expert payload or a direct all-to-all)") : _combineLegs[layer];

    /// <summary>Token-expert pairs each GPU computes in MoE layer <paramref name="layer"/>.</summary>
    public ReadOnlySpan<int> PairsPerDevice(int layer) => _pairs.AsSpan(layer * _devices, _devices);

    /// <summary>Distinct experts each GPU runs in MoE layer <paramref name="layer"/> (whose weights it reads).</summary>
    public ReadOnlySpan<int> DistinctExpertsPerDevice(int layer) => _distinct.AsSpan(layer * _devices, _devices);

    /// <summary>
    /// Dispatch bytes of MoE layer <paramref name="layer"/>, [src × devices + dst] (one copy per
    /// pair, or per receiving GPU with the per-device payload); the diagonal is zero. Not kept when <see cref="PlansRailLegs"/>.
    /// </summary>
    public ReadOnlySpan<long> DispatchBytes(int layer) =>
        _rail is not null ? throw new InvalidOperationException("rail legs are planned instead (DispatchLegs)") : _dispatch.AsSpan(layer * _devices * _devices, _devices * _devices);

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
