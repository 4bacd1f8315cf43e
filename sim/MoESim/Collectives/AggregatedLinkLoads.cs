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
    private readonly double[] _secondsPerByte;     // per topology link
    private readonly double[] _linkLatencySeconds; // per topology link
    private readonly long[] _loadBytes;            // [stage * links + link]
    private readonly double[] _latencySeconds;     // [stage * links + link], longest route latency
    private readonly double[] _readySeconds;       // [stage * links + link], latest start + route latency
    private readonly double[] _finishSeconds;      // [stage * links + link], when the link is through its in-order transfers
    private readonly int[] _touched;               // links with some load in any stage, in first-touch order
    private readonly bool[] _isTouched;
    private int _touchedCount;

    // Per device: [stage * keys + key] send totals per (source, apex) and receive totals per
    // (apex, destination), with the longest other-half latency and latest start plus it.
    private readonly long[] _outBytes = [], _inBytes = [];
    private readonly double[] _outLatencySeconds = [], _outReadySeconds = [], _inLatencySeconds = [], _inReadySeconds = [];
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
        _linkLatencySeconds = new double[_links];
        foreach (var link in topology.Links)
        {
            _secondsPerByte[link.Index] = 1.0 / link.BandwidthBytesPerSecond;
            _linkLatencySeconds[link.Index] = link.LatencySeconds;
        }
        _loadBytes = new long[stages * _links];
        _latencySeconds = new double[stages * _links];
        _readySeconds = new double[stages * _links];
        _finishSeconds = new double[stages * _links];
        _touched = new int[_links];
        _isTouched = new bool[_links];
        if (split is { IsDecomposable: true })
        {
            _split = split;
            _keys = split.Gpus * split.Apexes;
            _outBytes = new long[stages * _keys];
            _inBytes = new long[stages * _keys];
            _outLatencySeconds = new double[stages * _keys];
            _outReadySeconds = new double[stages * _keys];
            _inLatencySeconds = new double[stages * _keys];
            _inReadySeconds = new double[stages * _keys];
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
            double upLatencySeconds = split.UpLatencySeconds(up), downLatencySeconds = split.DownLatencySeconds(down);
            int o = stage * _keys + up, i = stage * _keys + down;
            if (_outBytes[o] == 0) _outTouched[stage * _keys + _outCount[stage]++] = up;
            if (_inBytes[i] == 0) _inTouched[stage * _keys + _inCount[stage]++] = down;
            _outBytes[o] += bytes;
            _inBytes[i] += bytes;
            _outLatencySeconds[o] = Math.Max(_outLatencySeconds[o], downLatencySeconds);
            _outReadySeconds[o] = Math.Max(_outReadySeconds[o], startSeconds + downLatencySeconds);
            _inLatencySeconds[i] = Math.Max(_inLatencySeconds[i], upLatencySeconds);
            _inReadySeconds[i] = Math.Max(_inReadySeconds[i], startSeconds + upLatencySeconds);
            _pending = true;
            return;
        }
        var route = _topology.Route(source, destination);
        double latencySeconds = 0;
        foreach (int l in route) latencySeconds += _linkLatencySeconds[l];
        foreach (int l in route) Load(stage * _links, l, bytes, latencySeconds, startSeconds + latencySeconds);
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
        double latencySeconds = 0;
        foreach (int l in route) latencySeconds += _linkLatencySeconds[l];
        int stageBase = stage * _links;
        foreach (int l in route)
        {
            Load(stageBase, l, bytes, latencySeconds, startSeconds + latencySeconds);
            ref double finish = ref _finishSeconds[stageBase + l];
            finish = Math.Max(finish, startSeconds + latencySeconds) + bytes * _secondsPerByte[l];
        }
    }

    /// <summary>When every link of <paramref name="stage"/> is through the transfers added to it with <see cref="AddInOrder"/>, seconds; 0 when none.</summary>
    public double InOrderSeconds(int stage)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        int stageBase = stage * _links;
        double longestSeconds = 0;
        for (int i = 0; i < _touchedCount; i++) longestSeconds = Math.Max(longestSeconds, _finishSeconds[stageBase + _touched[i]]);
        return longestSeconds;
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
        double longestSeconds = 0;
        foreach (int l in links)
            longestSeconds = Math.Max(longestSeconds, _loadBytes[stageBase + l] * _secondsPerByte[l] + _readySeconds[stageBase + l]);
        return longestSeconds;
    }

    /// <summary>Bytes on topology link <paramref name="link"/> in <paramref name="stage"/>.</summary>
    public long LoadBytes(int stage, int link)
    {
        Settle();
        return _loadBytes[stage * _links + link];
    }

    /// <summary>Duration of <paramref name="stage"/> alone, seconds: max over links of load / bandwidth + latest start and route latency; 0 when empty.</summary>
    public double StageSeconds(int stage)
    {
        if ((uint)stage >= (uint)Stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, $"stages are 0..{Stages - 1}");
        Settle();
        int stageBase = stage * _links;
        double longestSeconds = 0;
        for (int i = 0; i < _touchedCount; i++)
        {
            int l = _touched[i];
            long load = _loadBytes[stageBase + l];
            if (load == 0) continue;
            longestSeconds = Math.Max(longestSeconds, load * _secondsPerByte[l] + _readySeconds[stageBase + l]);
        }
        return longestSeconds;
    }

    /// <summary>
    /// Duration if every stage ran at once from the start, seconds: max over links of the summed
    /// load / bandwidth + the longest route latency in any stage. A lower bound for stages that
    /// overlap on shared links.
    /// </summary>
    public double TotalSeconds()
    {
        Settle();
        double longestSeconds = 0;
        for (int i = 0; i < _touchedCount; i++)
        {
            int l = _touched[i];
            long load = 0;
            double latencySeconds = 0;
            for (int s = 0; s < Stages; s++)
            {
                load += _loadBytes[s * _links + l];
                latencySeconds = Math.Max(latencySeconds, _latencySeconds[s * _links + l]);
            }
            longestSeconds = Math.Max(longestSeconds, load * _secondsPerByte[l] + latencySeconds);
        }
        return longestSeconds;
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
            for (int s = 0; s < Stages; s++) load += _loadBytes[s * _links + l];
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
                _loadBytes[s * _links + l] = 0;
                _latencySeconds[s * _links + l] = 0;
                _readySeconds[s * _links + l] = 0;
                _finishSeconds[s * _links + l] = 0;
            }
        }
        _touchedCount = 0;
        Transfers = 0;
        TransferredBytes = 0;
    }

    private void Load(int stageBase, int link, long bytes, double latencySeconds, double readySeconds)
    {
        if (!_isTouched[link])
        {
            _isTouched[link] = true;
            _touched[_touchedCount++] = link;
        }
        _loadBytes[stageBase + link] += bytes;
        ref double lat = ref _latencySeconds[stageBase + link];
        if (latencySeconds > lat) lat = latencySeconds;
        ref double r = ref _readySeconds[stageBase + link];
        if (readySeconds > r) r = readySeconds;
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
                double ownSeconds = split.UpLatencySeconds(up);
                foreach (int l in split.UpLinks(up)) Load(links, l, _outBytes[o], ownSeconds + _outLatencySeconds[o], ownSeconds + _outReadySeconds[o]);
                _outBytes[o] = 0;
                _outLatencySeconds[o] = 0;
                _outReadySeconds[o] = 0;
            }
            for (int t = 0; t < _inCount[stage]; t++)
            {
                int down = _inTouched[keys + t], i = keys + down;
                double ownSeconds = split.DownLatencySeconds(down);
                foreach (int l in split.DownLinks(down)) Load(links, l, _inBytes[i], ownSeconds + _inLatencySeconds[i], ownSeconds + _inReadySeconds[i]);
                _inBytes[i] = 0;
                _inLatencySeconds[i] = 0;
                _inReadySeconds[i] = 0;
            }
            _outCount[stage] = 0;
            _inCount[stage] = 0;
        }
    }
}
