namespace MoESim.Engine;

/// <summary>
/// Max-min fair rate allocation by progressive filling: repeatedly find the link whose remaining
/// capacity divided by its unfixed flows is smallest, give each of those flows that share, and
/// take it off every link they cross. The result is the unique max-min fair allocation: no flow
/// can go faster without slowing a flow that is no faster than it. Buffers are reused across
/// calls, so solving allocates only when the problem outgrows them.
/// </summary>
internal sealed class MaxMinFairShare
{
    private int[] _count = [];        // per link: flows crossing it
    private int[] _start = [];        // per link: offset of its flows in _linkFlows
    private int[] _fill = [];
    private int[] _unfixed = [];      // per link: flows crossing it whose rate is not yet fixed
    private double[] _residual = [];  // per link: capacity not yet handed out, bytes/s
    private int[] _touched = [];      // links crossed by at least one flow
    private int[] _linkFlows = [];    // flows grouped by link (CSR)
    private bool[] _fixed = [];

    /// <summary>
    /// Computes rates (bytes/s) for flows whose routes are given in CSR form: flow f crosses
    /// links <c>routeLinks[routeOffsets[f]..routeOffsets[f+1]]</c>. Every route must be non-empty
    /// and every capacity positive.
    /// </summary>
    public void Solve(ReadOnlySpan<int> routeOffsets, ReadOnlySpan<int> routeLinks,
        ReadOnlySpan<double> linkCapacity, Span<double> rates)
    {
        int flows = routeOffsets.Length - 1;
        int links = linkCapacity.Length;
        if (flows <= 0)
            return;
        EnsureLinks(links);
        EnsureFlows(flows, routeLinks.Length);

        Array.Clear(_count, 0, links);
        int touched = 0;
        foreach (int l in routeLinks)
        {
            if (_count[l]++ == 0)
                _touched[touched++] = l;
        }

        int offset = 0;
        for (int t = 0; t < touched; t++)
        {
            int l = _touched[t];
            _start[l] = offset;
            _fill[l] = offset;
            offset += _count[l];
            _residual[l] = linkCapacity[l];
            _unfixed[l] = _count[l];
        }
        for (int f = 0; f < flows; f++)
        {
            for (int h = routeOffsets[f]; h < routeOffsets[f + 1]; h++)
                _linkFlows[_fill[routeLinks[h]]++] = f;
            _fixed[f] = false;
        }

        int remaining = flows;
        while (remaining > 0)
        {
            // The bottleneck: smallest fair share among links that still have unfixed flows.
            // Strict '<' picks the first such link on ties, keeping the order deterministic.
            int best = -1;
            double bestShare = double.PositiveInfinity;
            for (int t = 0; t < touched; t++)
            {
                int l = _touched[t];
                if (_unfixed[l] == 0)
                    continue;
                double share = _residual[l] / _unfixed[l];
                if (share < bestShare)
                {
                    bestShare = share;
                    best = l;
                }
            }
            if (best < 0)
                throw new InvalidOperationException("max-min solver: flows left without a link");

            int end = _start[best] + _count[best];
            for (int i = _start[best]; i < end; i++)
            {
                int f = _linkFlows[i];
                if (_fixed[f])
                    continue;
                _fixed[f] = true;
                rates[f] = bestShare;
                remaining--;
                for (int h = routeOffsets[f]; h < routeOffsets[f + 1]; h++)
                {
                    int l = routeLinks[h];
                    // Clamp: rounding must not leave a link with negative capacity to share.
                    _residual[l] = Math.Max(0, _residual[l] - bestShare);
                    _unfixed[l]--;
                }
            }
        }
    }

    private int[] _routeOffsets = new int[16];
    private int[] _routeLinks = new int[64];
    private double[] _rates = new double[16];

    /// <summary>
    /// Flattens the routes of <paramref name="flows"/> into reused buffers, solves, and stores
    /// each flow's rate in <see cref="FlowRecord.RateBytesPerSecond"/>.
    /// </summary>
    public void Solve(List<FlowRecord> flows, double[] linkCapacity)
    {
        int n = flows.Count;
        if (_routeOffsets.Length < n + 1)
        {
            _routeOffsets = new int[Math.Max(n + 1, _routeOffsets.Length * 2)];
            _rates = new double[_routeOffsets.Length];
        }
        int hops = 0;
        for (int f = 0; f < n; f++)
        {
            var route = flows[f].RouteSpan;
            if (_routeLinks.Length < hops + route.Length)
                Array.Resize(ref _routeLinks, Math.Max(hops + route.Length, _routeLinks.Length * 2));
            _routeOffsets[f] = hops;
            route.CopyTo(_routeLinks.AsSpan(hops));
            hops += route.Length;
        }
        _routeOffsets[n] = hops;
        Solve(_routeOffsets.AsSpan(0, n + 1), _routeLinks.AsSpan(0, hops), linkCapacity, _rates.AsSpan(0, n));
        for (int f = 0; f < n; f++)
            flows[f].RateBytesPerSecond = _rates[f];
    }

    private void EnsureLinks(int links)
    {
        if (_count.Length >= links)
            return;
        int n = Math.Max(links, _count.Length * 2);
        _count = new int[n];
        _start = new int[n];
        _fill = new int[n];
        _unfixed = new int[n];
        _residual = new double[n];
        _touched = new int[n];
    }

    private void EnsureFlows(int flows, int hops)
    {
        if (_fixed.Length < flows)
            _fixed = new bool[Math.Max(flows, _fixed.Length * 2)];
        if (_linkFlows.Length < hops)
            _linkFlows = new int[Math.Max(hops, _linkFlows.Length * 2)];
    }
}
