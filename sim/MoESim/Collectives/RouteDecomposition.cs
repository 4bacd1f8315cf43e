using MoESim.Hardware.Topology;

namespace MoESim.Collectives;

/// <summary>
/// Every GPU-to-GPU route of a topology split at its apex, the last switch on it (the
/// destination GPU for a route without a switch): route(s, d) = Up(s, apex) followed by
/// Down(apex, d), where Up depends only on the source and the apex and Down only on the apex and
/// the destination. On a DGX cluster the apex is the node's NVSwitch or the fabric switch, so a
/// GPU has two up paths and two down paths, and a collective's per-link loads follow from
/// per-GPU send and receive totals per apex (<see cref="AggregatedLinkLoads"/>) instead of a
/// walk over every transfer's route. Built once per topology (ranks² routes); when some route
/// does not split this way, <see cref="IsDecomposable"/> is false and loads walk routes.
/// </summary>
internal sealed class RouteDecomposition
{
    private readonly int[] _apexOf;       // [s * gpus + d] -> apex index, -1 for s == d
    private readonly int[] _upStart;      // [s * apexes + a] -> offset in _upLinks (CSR, one extra entry)
    private readonly int[] _upLinks;
    private readonly double[] _upLatencySeconds; // [s * apexes + a], seconds
    private readonly int[] _downStart;    // [a * gpus + d] -> offset in _downLinks (CSR, one extra entry)
    private readonly int[] _downLinks;
    private readonly double[] _downLatencySeconds; // [a * gpus + d], seconds

    public RouteDecomposition(SystemTopology topology)
    {
        int n = topology.DeviceCount;
        Gpus = n;
        var apexIndex = new Dictionary<int, int>();
        _apexOf = new int[n * n];
        var split = new int[n * n]; // position in the route after the apex's incoming link
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
            {
                if (s == d)
                {
                    _apexOf[s * n + d] = -1;
                    continue;
                }
                var route = topology.Route(s, d);
                int at = route.Length; // no switch: the whole route is the up part, the apex is d
                int vertex = topology.Devices[d].NodeIndex;
                for (int i = route.Length - 1; i >= 0; i--)
                {
                    int to = topology.Links[route[i]].To;
                    if (topology.Nodes[to].Kind == TopologyNodeKind.Switch)
                    {
                        at = i + 1;
                        vertex = to;
                        break;
                    }
                }
                if (!apexIndex.TryGetValue(vertex, out int a)) apexIndex[vertex] = a = apexIndex.Count;
                _apexOf[s * n + d] = a;
                split[s * n + d] = at;
            }
        Apexes = apexIndex.Count;
        int apexes = Apexes;
        var up = new int[]?[n * apexes];
        var down = new int[]?[apexes * n];
        IsDecomposable = true;
        for (int s = 0; s < n && IsDecomposable; s++)
            for (int d = 0; d < n && IsDecomposable; d++)
            {
                int a = _apexOf[s * n + d];
                if (a < 0) continue;
                var route = topology.Route(s, d);
                int at = split[s * n + d];
                IsDecomposable = Same(ref up[s * apexes + a], route[..at]) && Same(ref down[a * n + d], route[at..]);
            }
        (_upStart, _upLinks, _upLatencySeconds) = Flatten(up, topology);
        (_downStart, _downLinks, _downLatencySeconds) = Flatten(down, topology);
    }

    /// <summary>GPUs of the topology.</summary>
    public int Gpus { get; }

    /// <summary>Distinct apexes (switches, or GPUs reached without one).</summary>
    public int Apexes { get; }

    /// <summary>Whether every route splits into an up path per (source, apex) and a down path per (apex, destination).</summary>
    public bool IsDecomposable { get; }

    /// <summary>Apex index of the route from <paramref name="source"/> to <paramref name="destination"/>; -1 for a GPU to itself.</summary>
    public int ApexOf(int source, int destination) => _apexOf[source * Gpus + destination];

    /// <summary>Links of Up(source, apex), key source × apexes + apex.</summary>
    public ReadOnlySpan<int> UpLinks(int key) => _upLinks.AsSpan(_upStart[key], _upStart[key + 1] - _upStart[key]);

    /// <summary>Summed link latency of Up(source, apex), seconds.</summary>
    public double UpLatencySeconds(int key) => _upLatencySeconds[key];

    /// <summary>Links of Down(apex, destination), key apex × GPUs + destination.</summary>
    public ReadOnlySpan<int> DownLinks(int key) => _downLinks.AsSpan(_downStart[key], _downStart[key + 1] - _downStart[key]);

    /// <summary>Summed link latency of Down(apex, destination), seconds.</summary>
    public double DownLatencySeconds(int key) => _downLatencySeconds[key];

    // Records path as the part for its key the first time; later routes must agree.
    private static bool Same(ref int[]? part, ReadOnlySpan<int> path)
    {
        if (part is null)
        {
            part = path.ToArray();
            return true;
        }
        return path.SequenceEqual(part);
    }

    private static (int[] Start, int[] Links, double[] LatencySeconds) Flatten(int[]?[] parts, SystemTopology topology)
    {
        var start = new int[parts.Length + 1];
        var latency = new double[parts.Length];
        var links = new List<int>();
        for (int k = 0; k < parts.Length; k++)
        {
            start[k] = links.Count;
            if (parts[k] is not { } part) continue;
            foreach (int l in part)
            {
                links.Add(l);
                latency[k] += topology.Links[l].LatencySeconds;
            }
        }
        start[^1] = links.Count;
        return (start, links.ToArray(), latency);
    }
}
