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
    private readonly int[] _soleDevice;   // [layer * experts + expert] -> the device of its only copy, or -1 when replicated
    private readonly int[] _firstSlot;    // [layer * experts + expert] -> its first replica's slot among the layer's replicas
    private readonly int[] _replicaDevice; // [layer * slots + slot] -> the replica's device
    private readonly int[] _sameDevice;   // [layer * slots + slot] -> slot of the expert's first replica on that device
    private readonly int _slots;          // replica slots per layer (the most any layer has)
    private readonly int[] _pairs;        // [layer * devices + device]
    private readonly int[] _distinct;     // [layer * devices + device]
    private readonly long[] _dispatch = []; // [layer * devices² + src * devices + dst]; without rail legs only
    // [slot] -> last (layer, step) stamp seen: a (device, expert) pair is the first replica of the
    // expert on that device, so a layer's replicas (a few hundred) stand for devices × experts.
    private readonly int[] _stamp;
    private int _stampValue;
    private readonly int[] _deviceSent;   // [device] -> last (layer, token) stamp that sent to it
    private readonly int[] _machineSent;  // [machine] -> last (layer, token) stamp that crossed to it
    private int _sentValue;

    // Rail legs (per-device payload over a rail-forwarded exchange), kept compact per layer as
    // copy counts of the dispatch: a same-machine leg at [layer * devices * perMachine + src *
    // perMachine + local index of dst], a fabric leg at [layer * devices * machines + src *
    // machines + machine]. Combine is their mirror image (local legs reversed, forwards become
    // gathers, a fabric copy comes back from the rail peer to the home GPU), so it is not stored.
    // Both are written out into the exchange's dense legs when asked for (DispatchLegs,
    // CombineLegs): a step costs devices × (GPUs per machine + machines) per layer, never devices².
    private readonly AllToAll? _rail;
    private readonly int _perMachine;
    private readonly int _machines;
    private readonly int[] _machineOf = [];   // per device
    private readonly int[] _localIndex = [];  // per device
    private readonly int[] _members = [];     // [machine * perMachine + local index] -> device (its rail peer there)
    private readonly int[] _local = [], _forward = [], _fabric = [];
    private readonly AllToAllTraffic? _dispatchLegs;
    private readonly AllToAllTraffic? _combineLegs;

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
        _soleDevice = new int[_layers * _experts];
        _firstSlot = new int[_layers * _experts];
        for (int layer = 0; layer < _layers; layer++)
        {
            int slot = 0;
            for (int e = 0; e < _experts; e++) slot += placement.Replicas(layer, e).Length;
            _slots = Math.Max(_slots, slot);
        }
        _replicaDevice = new int[_layers * _slots];
        _sameDevice = new int[_layers * _slots];
        for (int layer = 0; layer < _layers; layer++)
        {
            int slot = 0;
            for (int e = 0; e < _experts; e++)
            {
                var replicas = placement.Replicas(layer, e);
                _soleDevice[layer * _experts + e] = replicas.Length == 1 ? replicas[0].Device : -1;
                _firstSlot[layer * _experts + e] = slot;
                for (int r = 0; r < replicas.Length; r++)
                {
                    int first = 0;
                    while (replicas[first].Device != replicas[r].Device) first++;
                    _replicaDevice[layer * _slots + slot + r] = replicas[r].Device;
                    _sameDevice[layer * _slots + slot + r] = slot + first;
                }
                slot += replicas.Length;
            }
        }
        _stamp = new int[_slots];
        _deviceSent = new int[_devices];
        if (_perDevice && exchange is { Algorithm: AllToAllAlgorithm.RailForwarded })
        {
            if (exchange.Ranks != _devices)
                throw new ArgumentException($"the all-to-all has {exchange.Ranks} ranks, the placement {_devices} devices", nameof(exchange));
            _rail = exchange;
            int n = _devices;
            _perMachine = exchange.RanksPerMachine;
            _machines = exchange.Machines;
            _machineOf = new int[n];
            _localIndex = new int[n];
            _members = new int[n];
            for (int d = 0; d < n; d++)
            {
                _machineOf[d] = exchange.MachineOf(d);
                _localIndex[d] = exchange.LocalIndexOf(d);
                _members[_machineOf[d] * _perMachine + _localIndex[d]] = d;
            }
            _local = new int[_layers * n * _perMachine];
            _forward = new int[_layers * n * _perMachine];
            _fabric = new int[_layers * n * _machines];
            _machineSent = new int[_machines];
            _dispatchLegs = new AllToAllTraffic(n, _machines);
            _combineLegs = new AllToAllTraffic(n, _machines);
        }
        else
        {
            _dispatch = new long[_layers * _devices * _devices];
            _machineSent = [];
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
    /// <paramref name="homeDevice"/> each token's GPU. Work: tokens × k per layer, plus clearing
    /// devices × (GPUs per machine + machines) per layer for rail legs or devices² for matrices.
    /// </summary>
    public void Plan(ReadOnlySpan<int> expertIds, ReadOnlySpan<int> homeDevice, int tokens)
    {
        if (expertIds.Length < _layers * tokens * _topK) throw new ArgumentException($"expected {_layers * tokens * _topK} expert ids, got {expertIds.Length}", nameof(expertIds));
        if (homeDevice.Length < tokens) throw new ArgumentException($"expected {tokens} home devices, got {homeDevice.Length}", nameof(homeDevice));
        Array.Clear(_pairs);
        Array.Clear(_distinct);
        Array.Clear(_dispatch);
        Array.Clear(_local);
        Array.Clear(_forward);
        Array.Clear(_fabric);
        int n = _devices, k = _topK, experts = _experts, g = _perMachine, machines = _machines;
        bool rail = _rail is not null;
        for (int layer = 0; layer < _layers; layer++)
        {
            // A fresh stamp per layer marks which (device, expert) cells were seen this layer.
            if (++_stampValue == int.MaxValue)
            {
                Array.Clear(_stamp);
                _stampValue = 1;
            }
            int stamp = _stampValue;
            var ids = expertIds.Slice(layer * tokens * k, tokens * k);
            var sole = _soleDevice.AsSpan(layer * experts, experts);
            var firstSlot = _firstSlot.AsSpan(layer * experts, experts);
            var pairs = _pairs.AsSpan(layer * n, n);
            var distinct = _distinct.AsSpan(layer * n, n);
            int matrixBase = layer * n * n, blocks = layer * n * g, fabricBase = layer * n * machines;
            for (int t = 0; t < tokens; t++)
            {
                int home = homeDevice[t];
                // A fresh stamp per token marks the GPUs and machines it was sent to (per-device payload).
                if (++_sentValue == int.MaxValue)
                {
                    Array.Clear(_deviceSent);
                    Array.Clear(_machineSent);
                    _sentValue = 1;
                }
                int sent = _sentValue;
                var chosen = ids.Slice(t * k, k);
                for (int j = 0; j < chosen.Length; j++)
                {
                    int expert = chosen[j];
                    int device = sole[expert];
                    int slot = firstSlot[expert];
                    if (device < 0)
                    {
                        int chosenSlot = layer * _slots + slot + _selector.ChooseReplica(layer, expert, home);
                        device = _replicaDevice[chosenSlot];
                        slot = _sameDevice[chosenSlot];
                    }
                    pairs[device]++;
                    ref int seen = ref _stamp[slot];
                    if (seen != stamp)
                    {
                        seen = stamp;
                        distinct[device]++;
                    }
                    if (device == home) continue;
                    if (_perDevice)
                    {
                        ref int to = ref _deviceSent[device];
                        if (to == sent) continue;
                        to = sent;
                    }
                    if (!rail)
                    {
                        _dispatch[matrixBase + home * n + device] += _bytesPerPair;
                        continue;
                    }
                    // One copy from the home GPU, leg by leg: within its machine directly; across
                    // machines over its rail, once per machine, to the GPU with its local index
                    // there, which forwards it (and on the way back gathers and reduces the
                    // machine's outputs before one copy crosses back to the home GPU).
                    int machine = _machineOf[device];
                    if (machine == _machineOf[home])
                    {
                        _local[blocks + home * g + _localIndex[device]]++;
                        continue;
                    }
                    ref int crossed = ref _machineSent[machine];
                    if (crossed != sent)
                    {
                        crossed = sent;
                        _fabric[fabricBase + home * machines + machine]++;
                    }
                    int peer = _members[machine * g + _localIndex[home]];
                    if (device != peer) _forward[blocks + peer * g + _localIndex[device]]++;
                }
            }
        }
    }

    // Writes layer's legs, in bytes, into the exchange's dense legs: every same-machine entry and
    // the fabric (entries between machines are never written, so they stay zero). Combine mirrors
    // dispatch: a local copy home -> d returns d -> home, a forward peer -> d returns as a gather
    // d -> peer, and the fabric copy home -> machine m returns from home's rail peer on m to home.
    private AllToAllTraffic WriteLegs(AllToAllTraffic legs, int layer, bool combine)
    {
        int n = _devices, g = _perMachine, machines = _machines;
        long b = _bytesPerPair;
        var relay = combine ? legs.Gather : legs.Forward;
        int blocks = layer * n * g, fabric = layer * n * machines;
        for (int s = 0; s < n; s++)
        {
            int machine = _machineOf[s];
            for (int i = 0; i < g; i++)
            {
                int d = _members[machine * g + i];
                int copy = blocks + s * g + i;
                if (combine)
                {
                    // Entry (s, d) of combine is entry (d, s) of dispatch.
                    int mirror = blocks + d * g + _localIndex[s];
                    legs.Local[s * n + d] = _local[mirror] * b;
                    relay[s * n + d] = _forward[mirror] * b;
                }
                else
                {
                    legs.Local[s * n + d] = _local[copy] * b;
                    relay[s * n + d] = _forward[copy] * b;
                }
            }
            for (int m = 0; m < machines; m++)
            {
                // Combine: s sends back to machine m what s's rail peer there sent to s's machine.
                int from = combine ? _members[m * g + _localIndex[s]] : s, to = combine ? machine : m;
                legs.Fabric[s * machines + m] = m == machine ? 0 : _fabric[fabric + from * machines + to] * b;
            }
        }
        return legs;
    }

    /// <summary>
    /// Dispatch legs of MoE layer <paramref name="layer"/> when <see cref="PlansRailLegs"/>, written
    /// into one buffer that every layer's dispatch shares: valid until the next call (the exchange
    /// reads it while it runs; the next layer's dispatch starts after it ends).
    /// </summary>
    public AllToAllTraffic DispatchLegs(int layer)
    {
        if (_rail is null) throw new InvalidOperationException("no rail legs are planned (per-expert payload or a direct all-to-all)");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)layer, (uint)_layers, nameof(layer));
        return WriteLegs(_dispatchLegs!, layer, combine: false);
    }

    /// <summary>Combine legs of MoE layer <paramref name="layer"/> when <see cref="PlansRailLegs"/>, in a buffer shared like <see cref="DispatchLegs"/>'s.</summary>
    public AllToAllTraffic CombineLegs(int layer)
    {
        if (_rail is null) throw new InvalidOperationException("no rail legs are planned (per-expert payload or a direct all-to-all)");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)layer, (uint)_layers, nameof(layer));
        return WriteLegs(_combineLegs!, layer, combine: true);
    }

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
