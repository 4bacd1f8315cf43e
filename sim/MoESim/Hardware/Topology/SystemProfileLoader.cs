using MoESim.Config;

namespace MoESim.Hardware.Topology;

/// <summary>
/// Loads a system profile YAML (hardware-profiles/systems/) into a <see cref="SystemTopology"/>.
/// Two shapes, told apart by the <c>node:</c> key:
/// <list type="bullet">
/// <item>a <b>node</b>: <c>name</c>, <c>accelerators: {count, device}</c> (a gpu, npu or pim
/// device profile path relative to the file), optional <c>host_cpus: {count, device}</c> (a cpu
/// device profile), optional <c>nics: {count}</c>, <c>switches: [{name, latency_us}]</c>,
/// <c>links: [{name, from, to, bandwidth_gb_per_s, latency_us}]</c>, <c>power_watts</c>,
/// <c>price_per_hour_usd</c>. Vertices are <c>gpu0..</c> (<c>npu0..</c>, <c>pim0..</c> by the
/// accelerator's kind), <c>cpu0..</c>, <c>nic0..</c> and the switches; with host CPUs, every
/// accelerator is joined to one by its device profile's host link.</item>
/// <item>a <b>cluster</b>: <c>name</c>, <c>node</c> (a node profile path), <c>nodes</c> (count),
/// fabric <c>switches</c> and <c>links</c>, and the fabric's <c>power_watts</c> and
/// <c>price_per_hour_usd</c> (added to the nodes'). Node vertices are prefixed <c>n0.</c>,
/// <c>n1.</c>, ...; in fabric links <c>gpu[*]</c>/<c>nic[*]</c> mean every node's members.</item>
/// </list>
/// Bandwidths are per direction; every link is duplex. <c>extends:</c> works as for devices.
/// Errors (unknown keys, bad numbers, links naming undefined vertices, the old <c>gpus:</c> key)
/// are reported together with file:line:col and field.
/// </summary>
public static class SystemProfileLoader
{
    /// <summary>Loads and validates a system profile; throws <see cref="InputException"/> listing every error.</summary>
    public static SystemTopology Load(string path)
    {
        var loader = new YamlDocumentLoader();
        var root = loader.LoadMapping(path);
        var errors = new InputErrorList();
        var display = YamlDocumentLoader.DisplayPath(path);
        var map = new YamlMapReader(root, loader, display, "", errors);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var builder = new SystemTopologyBuilder();
        string name;
        double power, price;
        if (map.Has("node"))
        {
            (name, power, price) = ReadCluster(map, loader, directory, builder, errors);
        }
        else
        {
            var node = SystemNodeSpec.Read(map, directory);
            map.Finish();
            errors.ThrowIfAny();
            node.AddTo(builder, 0, "", new Dictionary<string, List<string>>(StringComparer.Ordinal), errors);
            (name, power, price) = (node.Name, node.PowerWatts, node.PricePerHourUsd);
        }
        errors.ThrowIfAny();
        try
        {
            return builder.Build(name, power, price);
        }
        catch (ArgumentException ex)
        {
            throw new InputException(new InputError(display, 0, 0, "links", ex.Message));
        }
    }

    private static (string Name, double Power, double Price) ReadCluster(YamlMapReader map, YamlDocumentLoader loader, string directory,
        SystemTopologyBuilder builder, InputErrorList errors)
    {
        var name = map.RequiredString("name");
        var nodeFile = map.RequiredString("node");
        var count = map.RequiredInt("nodes", min: 1, max: 1024);
        var switches = SystemNodeSpec.ReadSwitches(map);
        var links = new List<SystemLinkSpec>();
        foreach (var item in map.MapList("links", required: true))
        {
            links.Add(SystemLinkSpec.Read(item));
            item.Finish();
        }
        var power = map.RequiredDouble("power_watts", positive: false);
        var price = map.RequiredDouble("price_per_hour_usd", positive: false);
        map.Finish();

        SystemNodeSpec? node = null;
        if (nodeFile.Length > 0)
        {
            var nodePath = Path.Combine(directory, nodeFile);
            if (!File.Exists(nodePath))
            {
                map.Error("node", $"node profile '{nodeFile}' not found (paths are relative to this file)");
            }
            else
            {
                var nodeMap = new YamlMapReader(loader.LoadMapping(nodePath), loader, YamlDocumentLoader.DisplayPath(nodePath), "", errors);
                if (nodeMap.Has("node")) nodeMap.Error("node", "a cluster's node profile must describe one node, not another cluster");
                node = SystemNodeSpec.Read(nodeMap, Path.GetDirectoryName(Path.GetFullPath(nodePath)) ?? ".");
                nodeMap.Finish("node");
            }
        }
        errors.ThrowIfAny();

        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int m = 0; m < count; m++)
        {
            // A bad node link would be reported once per machine: stop after the first.
            if (!node!.AddTo(builder, m, $"n{m}.", groups, errors)) return (name, 0, 0);
        }
        var singles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sw in switches)
        {
            if (builder.Has(sw.Name)) { errors.Add(map.File, 0, 0, "switches", $"switch '{sw.Name}' clashes with a node vertex name"); continue; }
            builder.AddSwitch(sw.Name, -1, sw.LatencySeconds);
            singles.Add(sw.Name);
        }
        foreach (var link in links)
        {
            foreach (var (a, b) in link.Pairs(p => SystemLinkSpec.Expand(p, groups, singles)))
                builder.AddDuplexLink(link.Kind, a, b, link.BandwidthBytesPerSecond, link.LatencySeconds);
        }
        return (name, node!.PowerWatts * count + power, node.PricePerHourUsd * count + price);
    }
}
