using MoESim.Hardware.Topology;

namespace MoESim.Collectives;

/// <summary>
/// Per-link byte loads of a collective's transfers, in a few stages, for
/// <see cref="CollectiveModel.Aggregated"/>: each transfer (GPU to GPU, bytes ≥ 0, from a start
/// time) adds its bytes to every link of its topology route (<see cref="SystemTopology.Route"/>)
/// in its stage. A stage lasts max over its links of (load / bandwidth + the latest start plus
/// route latency among the stage's transfers crossing that link), seconds: the time the busiest
/// link needs when it stays saturated from the moment its transfers' latency is paid. That is
/// exact for the flow model when every flow of the bottleneck link runs at that link's fair
/// share to the end (uniform all-to-alls, ring steps); it is a lower bound when a flow is held
/// back elsewhere and leaves its bottleneck idle for a while.
/// </summary>
/// <remarks>
/// By route (the default) each transfer walks its route. Per device (when the topology's routes
/// split at their last switch, see <see cref="RouteDecomposition"/>) a transfer only adds to its
/// source's send total and its destination's receive total for that switch, and the links are
/// loaded from those totals when a stage is read: O(1) per transfer and O(GPUs × route length)
/// per stage, the same loads and times up to rounding. Flat arrays, reused (no allocation after
/// construction).
/// </remarks>
public sealed class AggregatedLinkLoads
{
    private readonly SystemTopology _topology;
    private readonly RouteDecomposition? _split;   // per-device totals when set
    private readonly int _links;
    private readonly double[] _secondsPerByte;   // per topology link
    private readonly double[] _linkLatency;      // per topology link, seconds
    private readonly long[] _load;               // [stage * links + link], bytes
    private readonly double[] _latency;          // [stage * links + link], longest route latency, seconds
    private readonly double[] _ready;            // [stage * links + link], latest start + route latency, seconds
    private readonly double[] _finish;           // [stage * links + link], when the link is through its in-order transfers, seconds
    private readonly int[] _touched;             // links with some load in any stage, in first-touch order
    private readonly bool[] _isTouched;
    private int _touchedCount;

    // Per device: [stage * keys + key] send totals per (source, apex) and receive totals per
    // (apex, destination), with the longest other-half latency and latest start plus it.
    private readonly long[] _out = [], _in = [];
    private readonly double[] _outLatency = [], _outReady = [], _inLatency = [], _inReady = [];
    private readonly int[] _outTouched = [], _inTouched = [];
    private readonly int[] _outCount = [], _inCount = [];
    private readonly int _keys;
    private bool _pending;

    /// <summary>
    /// Loads over <paramref name="topology"/>'s links in <paramref name="stages"/> (≥ 1) separate
    /// stages, added per device where the routes allow it (<paramref name="perDevice"/>) or by route.
    /// </summary>
    public AggregatedLinkLoads(SystemTopology topology, int stages = 1, bool perDevice = false)
        : this(topology, stages, perDevice ? new RouteDecomposition(topology) : null)
    {
    }

    internal AggregatedLinkLoads(SystemTopology topology, int stages, RouteDecomposition? split)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentOutOfRangeException.ThrowIfLessThan(stages, 1);
        _topology = topology;
        Stages = stages;
        _links = topology.Links.Count;
        _secondsPerByte = new double[_links];
        _linkLatency = new double[_links];
        foreach (var link in topology.Links)
        {
            _secondsPerByte[link.Index] = 1.0 / link.BandwidthBytesPerSecond;
            _linkLatency[link.Index] = link.LatencySeconds;
        }
        _load = new long[stages * _links];
        _latency = new double[stages * _links];
        _ready = new double[stages * _links];
        _finish = new double[stages * _links];
        _touched = new int[_links];
        _isTouched = new bool[_links];
        if (split is { IsDecomposable: true })
        {
            _split = split;
            _keys = split.Gpus * split.Apexes;
            _out = new long[stages * _keys];
            _in = new long[stages * _keys];
            _outLatency = new double[stages * _keys];
            _outReady = new double[stages * _keys];
            _inLatency = new double[stages * _keys];
            _inReady = new double[stages * _keys];
            _outTouched = new int[stages * _keys];
            _inTouched = new int[stages * _keys];
            _outCount = new int[stages];
            _inCount = new int[stages];
        }
    }

    /// <summary>Number of stages.</summary>
    public int Stages { get; }

    /// <summary>Whether transfers are added per device (send and receive totals) rather than route by route.</summary>
    public bool PerDevice => _split is not null;

    /// <summary>Transfers added since the last <see cref="Clear"/> (local and empty ones excluded).</summary>
    public int Transfers { get; private set; }

    /// <summary>Payload bytes of the transfers added since the last <see cref="Clear"/>.</summary>
    public long TransferredBytes { get; private set; }

    /// <summary>
    /// Adds a transfer of <paramref name="bytes"/> from GPU <paramref name="source"/> to GPU
    /// <paramref name="destination"/> (device indices) to <paramref name="stage"/>, starting
    /// <paramref name="startSeconds"/> (≥ 0) after the collective; a GPU to itself or no bytes adds nothing.
    /// </summary>
    public void Add(int stage, int source, int destination, long bytes, double startSeconds = 0)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        if (source == destination || bytes <= 0) return;
        Transfers++;
        TransferredBytes += bytes;
        if (_split is { } split)
        {
            int apex = split.ApexOf(source, destination);
            int up = source * split.Apexes + apex, down = apex * split.Gpus + destination;
            double upLatency = split.UpLatency(up), downLatency = split.DownLatency(down);
            int o = stage * _keys + up, i = stage * _keys + down;
            if (_out[o] == 0) _outTouched[stage * _keys + _outCount[stage]++] = up;
            if (_in[i] == 0) _inTouched[stage * _keys + _inCount[stage]++] = down;
            _out[o] += bytes;
            _in[i] += bytes;
            _outLatency[o] = Math.Max(_outLatency[o], downLatency);
            _outReady[o] = Math.Max(_outReady[o], startSeconds + downLatency);
            _inLatency[i] = Math.Max(_inLatency[i], upLatency);
            _inReady[i] = Math.Max(_inReady[i], startSeconds + upLatency);
            _pending = true;
            return;
        }
        var route = _topology.Route(source, destination);
        double latency = 0;
        foreach (int l in route) latency += _linkLatency[l];
        foreach (int l in route) Load(stage * _links, l, bytes, latency, startSeconds + latency);
    }

    /// <summary>
    /// Adds a transfer as <see cref="Add"/> does, always walking its route, to a stage whose
    /// transfers are added in order of their start (non-decreasing <paramref name="startSeconds"/>):
    /// each link then serves them one after another as they become ready (start plus route
    /// latency), never idle while one is ready, and <see cref="InOrderSeconds"/> says when the
    /// last is through. That is the flow model's time on a link shared by transfers that start
    /// at different times (a work-conserving link), where <see cref="StageSeconds"/> assumes
    /// they all start with the latest.
    /// </summary>
    public void AddInOrder(int stage, int source, int destination, long bytes, double startSeconds)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        if (source == destination || bytes <= 0) return;
        Transfers++;
        TransferredBytes += bytes;
        var route = _topology.Route(source, destination);
        double latency = 0;
        foreach (int l in route) latency += _linkLatency[l];
        int stageBase = stage * _links;
        foreach (int l in route)
        {
            Load(stageBase, l, bytes, latency, startSeconds + latency);
            ref double finish = ref _finish[stageBase + l];
            finish = Math.Max(finish, startSeconds + latency) + bytes * _secondsPerByte[l];
        }
    }

    /// <summary>When every link of <paramref name="stage"/> is through the transfers added to it with <see cref="AddInOrder"/>, seconds; 0 when none.</summary>
    public double InOrderSeconds(int stage)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        int stageBase = stage * _links;
        double longest = 0;
        for (int i = 0; i < _touchedCount; i++) longest = Math.Max(longest, _finish[stageBase + _touched[i]]);
        return longest;
    }

    /// <summary>
    /// When the route from <paramref name="source"/> to <paramref name="destination"/> is through in
    /// <paramref name="stage"/>, seconds: max over its links of load / bandwidth + latest start and
    /// route latency there (the links' own stage times); 0 for a GPU to itself.
    /// </summary>
    public double RouteSeconds(int stage, int source, int destination)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        if (source == destination) return 0;
        Settle();
        int stageBase = stage * _links;
        if (_split is { } split)
        {
            int apex = split.ApexOf(source, destination);
            return Math.Max(Longest(stageBase, split.UpLinks(source * split.Apexes + apex)), Longest(stageBase, split.DownLinks(apex * split.Gpus + destination)));
        }
        return Longest(stageBase, _topology.Route(source, destination));
    }

    // Max over links of load / bandwidth + latest start and route latency, in one stage.
    private double Longest(int stageBase, ReadOnlySpan<int> links)
    {
        double longest = 0;
        foreach (int l in links)
            longest = Math.Max(longest, _load[stageBase + l] * _secondsPerByte[l] + _ready[stageBase + l]);
        return longest;
    }

    /// <summary>Bytes on topology link <paramref name="link"/> in <paramref name="stage"/>.</summary>
    public long LoadBytes(int stage, int link)
    {
        Settle();
        return _load[stage * _links + link];
    }

    /// <summary>Duration of <paramref name="stage"/> alone, seconds: max over links of load / bandwidth + latest start and route latency; 0 when empty.</summary>
    public double StageSeconds(int stage)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        Settle();
        int stageBase = stage * _links;
        double longest = 0;
        for (int i = 0; i < _touchedCount; i++)
        {
            int l = _touched[i];
            long load = _load[stageBase + l];
            if (load == 0) continue;
            longest = Math.Max(longest, load * _secondsPerByte[l] + _ready[stageBase + l]);
        }
        return longest;
    }

    /// <summary>
    /// Duration if every stage ran at once from the start, seconds: max over links of the summed
    /// load / bandwidth + the longest route latency in any stage. A lower bound for stages that
    /// overlap on shared links.
    /// </summary>
    public double TotalSeconds()
    {
        Settle();
        double longest = 0;
        for (int i = 0; i < _touchedCount; i++)
        {
            int l = _touched[i];
            long load = 0;
            double latency = 0;
            for (int s = 0; s < Stages; s++)
            {
                load += _load[s * _links + l];
                latency = Math.Max(latency, _latency[s * _links + l]);
            }
            longest = Math.Max(longest, load * _secondsPerByte[l] + latency);
        }
        return longest;
    }

    /// <summary>Adds every link's load, all stages, to its engine link's carried bytes in <paramref name="network"/> (the statistics flows would leave).</summary>
    public void CreditLinks(TopologyNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Settle();
        for (int i = 0; i < _touchedCount; i++)
        {
            int l = _touched[i];
            long load = 0;
            for (int s = 0; s < Stages; s++) load += _load[s * _links + l];
            network.LinkOf(l).CarryAggregated(load);
        }
    }

    /// <summary>Forgets every load (cost proportional to the links and totals touched).</summary>
    public void Clear()
    {
        Settle();
        for (int i = 0; i < _touchedCount; i++)
        {
            int l = _touched[i];
            _isTouched[l] = false;
            for (int s = 0; s < Stages; s++)
            {
                _load[s * _links + l] = 0;
                _latency[s * _links + l] = 0;
                _ready[s * _links + l] = 0;
                _finish[s * _links + l] = 0;
            }
        }
        _touchedCount = 0;
        Transfers = 0;
        TransferredBytes = 0;
    }

    private void Load(int stageBase, int link, long bytes, double latency, double ready)
    {
        if (!_isTouched[link])
        {
            _isTouched[link] = true;
            _touched[_touchedCount++] = link;
        }
        _load[stageBase + link] += bytes;
        ref double lat = ref _latency[stageBase + link];
        if (latency > lat) lat = latency;
        ref double r = ref _ready[stageBase + link];
        if (ready > r) r = ready;
    }

    // Moves the per-device totals onto their up and down paths' links (and forgets the totals).
    private void Settle()
    {
        if (!_pending) return;
        _pending = false;
        var split = _split!;
        for (int stage = 0; stage < Stages; stage++)
        {
            int keys = stage * _keys, links = stage * _links;
            for (int t = 0; t < _outCount[stage]; t++)
            {
                int up = _outTouched[keys + t], o = keys + up;
                double own = split.UpLatency(up);
                foreach (int l in split.UpLinks(up)) Load(links, l, _out[o], own + _outLatency[o], own + _outReady[o]);
                _out[o] = 0;
                _outLatency[o] = 0;
                _outReady[o] = 0;
            }
            for (int t = 0; t < _inCount[stage]; t++)
            {
                int down = _inTouched[keys + t], i = keys + down;
                double own = split.DownLatency(down);
                foreach (int l in split.DownLinks(down)) Load(links, l, _in[i], own + _inLatency[i], own + _inReady[i]);
                _in[i] = 0;
                _inLatency[i] = 0;
                _inReady[i] = 0;
            }
            _outCount[stage] = 0;
            _inCount[stage] = 0;
        }
    }
}
