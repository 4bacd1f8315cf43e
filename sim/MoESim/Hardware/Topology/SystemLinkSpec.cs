using MoESim.Config;

namespace MoESim.Hardware.Topology;

/// <summary>
/// A <c>links:</c> entry of a system profile: a kind name, two endpoint patterns, per-direction
/// bandwidth and latency, and the reader that located it (for errors). Endpoint patterns:
/// a vertex name (<c>nvswitch</c>, <c>ib-switch</c>), one member of a group (<c>gpu[3]</c>)
/// or every member of a group (<c>gpu[*]</c>, <c>npu[*]</c>, <c>pim[*]</c>, <c>cpu[*]</c>, <c>nic[*]</c>). Two groups pair member by member;
/// a group and a single vertex join every member to that vertex.
/// </summary>
internal sealed record SystemLinkSpec(string Kind, string From, string To, double BandwidthBytesPerSecond, double LatencySeconds, YamlMapReader Where)
{
    public static SystemLinkSpec Read(YamlMapReader map) => new(
        map.RequiredString("name"),
        map.RequiredString("from"),
        map.RequiredString("to"),
        map.RequiredDouble("bandwidth_gb_per_s", min: ProfileLimits.MinBandwidthGBps, max: ProfileLimits.MaxBandwidthGBps) * Units.UnitConversions.BytesPerSecondPerGBps,
        map.RequiredDouble("latency_us", positive: false, max: ProfileLimits.MaxLatencyUs) * Units.UnitConversions.SecondsPerMicrosecond,
        map);

    /// <summary>
    /// Expands both endpoints with <paramref name="expand"/> (null: unknown name) and returns the
    /// vertex pairs to join; records an error at <c>from</c>/<c>to</c> and returns none when an
    /// endpoint is unknown or two groups differ in size.
    /// </summary>
    public IReadOnlyList<(string A, string B)> Pairs(Func<string, IReadOnlyList<string>?> expand)
    {
        var a = expand(From);
        var b = expand(To);
        if (a is null) Where.Error("from", $"'{From}' names no accelerator group (gpu, npu, pim), host CPU group (cpu), NIC group (nic) or switch of this system");
        if (b is null) Where.Error("to", $"'{To}' names no accelerator group (gpu, npu, pim), host CPU group (cpu), NIC group (nic) or switch of this system");
        if (a is null || b is null) return Array.Empty<(string, string)>();
        if (a.Count > 1 && b.Count > 1 && a.Count != b.Count)
        {
            Where.Error("to", $"'{From}' has {a.Count} members but '{To}' has {b.Count}: groups pair member by member, so their sizes must match");
            return Array.Empty<(string, string)>();
        }
        int n = Math.Max(a.Count, b.Count);
        var pairs = new List<(string, string)>(n);
        for (int i = 0; i < n; i++)
        {
            var x = a[a.Count == 1 ? 0 : i];
            var y = b[b.Count == 1 ? 0 : i];
            if (string.Equals(x, y, StringComparison.Ordinal))
            {
                Where.Error("to", $"link joins {x} to itself");
                return Array.Empty<(string, string)>();
            }
            pairs.Add((x, y));
        }
        return pairs;
    }

    /// <summary>
    /// Expands a pattern over named groups (group name -> member names) and single vertices;
    /// null when it names nothing (an empty group names nothing).
    /// </summary>
    public static IReadOnlyList<string>? Expand(string pattern, IReadOnlyDictionary<string, List<string>> groups, ISet<string> singles)
    {
        int open = pattern.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
            return singles.Contains(pattern) ? new[] { pattern } : null;
        if (!pattern.EndsWith(']') || !groups.TryGetValue(pattern[..open], out var members) || members.Count == 0)
            return null;
        var inside = pattern[(open + 1)..^1];
        if (inside == "*") return members;
        return int.TryParse(inside, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) && i < members.Count
            ? new[] { members[i] }
            : null;
    }
}
