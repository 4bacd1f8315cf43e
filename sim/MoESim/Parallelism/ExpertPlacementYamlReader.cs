using System.Globalization;
using MoESim.Config;
using YamlDotNet.RepresentationModel;

namespace MoESim.Parallelism;

/// <summary>
/// Reads a placement YAML (layout in <see cref="ExpertPlacementYamlWriter"/>) and checks it
/// against <see cref="ExpertPlacementLimits"/>. Every problem (an omitted or repeated expert, a
/// device outside the system, weights not summing to 1, copies over a device's memory, a shape
/// that differs from the model's) is reported together as an <see cref="InputException"/> with
/// file:line:col; nothing is defaulted silently.
/// </summary>
public static class ExpertPlacementYamlReader
{
    private const double WeightSumTolerance = 1e-6;

    /// <summary>
    /// Values the <c>strategy</c> key may take: the strategies <c>moesim place</c> writes, the
    /// simulator's contiguous default, and <c>manual</c> for a placement written by hand.
    /// </summary>
    public static IReadOnlyList<string> KnownStrategies { get; } = ["contiguous", "round-robin", "greedy", "ilp", "manual"];

    /// <summary>Loads and validates <paramref name="path"/>.</summary>
    public static ExpertPlacement Load(string path, ExpertPlacementLimits? limits = null)
    {
        limits ??= new ExpertPlacementLimits();
        var loader = new YamlDocumentLoader();
        var root = loader.LoadMapping(path);
        var file = YamlDocumentLoader.DisplayPath(path);
        var errors = new InputErrorList();
        var top = new YamlMapReader(root, loader, file, "", errors);
        var strategy = top.OptionalString("strategy") ?? "file";
        if (top.Has("strategy") && !KnownStrategies.Contains(strategy, StringComparer.Ordinal))
            top.Error("strategy", $"unknown strategy '{strategy}' (expected one of {string.Join(", ", KnownStrategies)})");
        var devices = top.RequiredInt("num_devices", min: 1);
        var layers = top.RequiredInt("num_moe_layers", min: 1, max: 100_000);
        var experts = top.RequiredInt("num_experts", min: 1, max: 65_535);
        if (limits.NumDevices is { } systemDevices && top.Has("num_devices") && devices != systemDevices)
            top.Error("num_devices", $"the placement is for {devices} devices but the system has {systemDevices}");
        if (limits.NumMoeLayers is { } modelLayers && top.Has("num_moe_layers") && layers != modelLayers)
            top.Error("num_moe_layers", $"the placement has {layers} MoE layers but the model has {modelLayers}");
        if (limits.NumExperts is { } modelExperts && top.Has("num_experts") && experts != modelExperts)
            top.Error("num_experts", $"the placement has {experts} experts per layer but the model has {modelExperts}");
        top.Finish("layers");
        errors.ThrowIfAny(); // the shape must be right before layers can be checked against it

        var replicas = new IReadOnlyList<ExpertReplica>[layers][];
        var layersNode = root.Children.TryGetValue(new YamlScalarNode("layers"), out var ln) ? ln : null;
        if (layersNode is not YamlSequenceNode layerSeq)
        {
            var at = layersNode ?? root;
            errors.Add(file, (int)at.Start.Line, (int)at.Start.Column, "layers", layersNode is null ? "required field is missing (a list with one entry per MoE layer)" : "expected a list (lines starting with '-')");
            errors.ThrowIfAny();
            throw new InvalidOperationException("unreachable");
        }
        if (layerSeq.Children.Count != layers)
            errors.Add(file, (int)layerSeq.Start.Line, (int)layerSeq.Start.Column, "layers", $"has {layerSeq.Children.Count} entries but num_moe_layers is {layers}");
        for (var i = 0; i < layerSeq.Children.Count && i < layers; i++)
        {
            var field = $"layers[{i}]";
            if (layerSeq.Children[i] is not YamlMappingNode layerMap)
            {
                Add(errors, file, layerSeq.Children[i], field, "expected a mapping with layer and experts");
                continue;
            }
            var reader = new YamlMapReader(layerMap, loader, file, field, errors);
            var index = reader.RequiredInt("layer", min: 0, max: layers - 1);
            reader.Finish("experts");
            if (reader.Has("layer") && index != i)
                reader.Error("layer", $"layer entries must be in order: entry {i} says layer {index}");
            replicas[i] = ReadExperts(layerMap, file, field, experts, devices, errors);
        }
        errors.ThrowIfAny();
        CheckMemory(replicas, devices, limits, file, root, errors);
        errors.ThrowIfAny();
        return new ExpertPlacement(devices, replicas, strategy);
    }

    private static IReadOnlyList<ExpertReplica>[] ReadExperts(YamlMappingNode layerMap, string file, string field, int experts, int devices, InputErrorList errors)
    {
        var result = new IReadOnlyList<ExpertReplica>[experts];
        if (!layerMap.Children.TryGetValue(new YamlScalarNode("experts"), out var node) || node is not YamlMappingNode map)
        {
            Add(errors, file, node ?? layerMap, $"{field}.experts", node is null ? "required field is missing (a mapping expert id -> devices)" : "expected a mapping expert id -> devices");
            return result;
        }
        var seen = new YamlNode?[experts];
        foreach (var (keyNode, value) in map.Children)
        {
            var keyText = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!int.TryParse(keyText, NumberStyles.None, CultureInfo.InvariantCulture, out var expert) || expert >= experts)
            {
                Add(errors, file, keyNode, $"{field}.experts", $"'{keyText}' is not an expert id in 0..{experts - 1}");
                continue;
            }
            var name = $"{field}.experts.{expert}";
            if (seen[expert] is { } first)
            {
                Add(errors, file, keyNode, name, $"expert {expert} is listed twice (first at line {first.Start.Line})");
                continue;
            }
            seen[expert] = keyNode;
            result[expert] = ReadReplicas(value, file, name, devices, errors);
        }
        var missing = Enumerable.Range(0, experts).Where(e => seen[e] is null).ToList();
        if (missing.Count > 0)
            Add(errors, file, map, $"{field}.experts", $"expert{(missing.Count > 1 ? "s" : "")} {Describe(missing)} not placed: every expert needs at least one device");
        return result;
    }

    private static ExpertReplica[] ReadReplicas(YamlNode value, string file, string field, int devices, InputErrorList errors)
    {
        YamlNode devicesNode = value;
        YamlNode? weightsNode = null;
        if (value is YamlMappingNode m)
        {
            foreach (var (k, v) in m.Children)
            {
                switch ((k as YamlScalarNode)?.Value)
                {
                    case "devices": devicesNode = v; break;
                    case "weights": weightsNode = v; break;
                    default: Add(errors, file, k, $"{field}.{(k as YamlScalarNode)?.Value}", "unknown field (expected devices, weights)"); break;
                }
            }
            if (ReferenceEquals(devicesNode, value))
            {
                Add(errors, file, value, $"{field}.devices", "required field is missing");
                return Array.Empty<ExpertReplica>();
            }
        }
        var deviceIds = Numbers(devicesNode, file, $"{field}.devices", errors);
        var copies = new List<ExpertReplica>();
        if (deviceIds.Count == 0)
        {
            Add(errors, file, devicesNode, $"{field}.devices", "needs at least one device");
            return Array.Empty<ExpertReplica>();
        }
        var weights = weightsNode is null ? null : Numbers(weightsNode, file, $"{field}.weights", errors);
        if (weights is not null && weights.Count != deviceIds.Count)
        {
            Add(errors, file, weightsNode!, $"{field}.weights", $"has {weights.Count} entries for {deviceIds.Count} devices");
            return Array.Empty<ExpertReplica>();
        }
        var sum = 0.0;
        var used = new HashSet<int>();
        for (var r = 0; r < deviceIds.Count; r++)
        {
            var (d, dNode) = deviceIds[r];
            if (d != Math.Floor(d) || d < 0 || d >= devices)
                Add(errors, file, dNode, $"{field}.devices", $"device {d.ToString(CultureInfo.InvariantCulture)} does not exist (the system has devices 0..{devices - 1})");
            else if (!used.Add((int)d))
                Add(errors, file, dNode, $"{field}.devices", $"device {d.ToString(CultureInfo.InvariantCulture)} holds this expert twice");
            var w = weights is null ? 1.0 / deviceIds.Count : weights[r].Value;
            if (weights is not null && !(w > 0 && w <= 1))
                Add(errors, file, weights[r].Node, $"{field}.weights", $"weight {w.ToString(CultureInfo.InvariantCulture)} is not in (0, 1]");
            sum += w;
            copies.Add(new ExpertReplica((int)Math.Clamp(d, 0, devices - 1), w));
        }
        if (weights is not null && Math.Abs(sum - 1) > WeightSumTolerance)
            Add(errors, file, weightsNode!, $"{field}.weights", $"weights sum to {sum.ToString("G6", CultureInfo.InvariantCulture)}, not 1");
        return copies.ToArray();
    }

    private static List<(double Value, YamlNode Node)> Numbers(YamlNode node, string file, string field, InputErrorList errors)
    {
        var result = new List<(double, YamlNode)>();
        if (node is not YamlSequenceNode seq)
        {
            Add(errors, file, node, field, "expected a list of numbers like [0, 3]");
            return result;
        }
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
                result.Add((v, item));
            else
                Add(errors, file, item, field, "expected a number");
        }
        return result;
    }

    private static void CheckMemory(IReadOnlyList<ExpertReplica>[][] replicas, int devices, ExpertPlacementLimits limits, string file, YamlNode root, InputErrorList errors)
    {
        if (limits.ExpertWeightBytes is not { } bytesPerExpert || limits.ExpertMemoryBytesPerDevice is not { } capacity) return;
        var copies = new long[devices];
        foreach (var layer in replicas)
            foreach (var expert in layer)
                foreach (var r in expert) copies[r.Device]++;
        for (var d = 0; d < devices; d++)
        {
            var need = copies[d] * bytesPerExpert;
            if (need > capacity)
                Add(errors, file, root, "layers", $"device {d} holds {copies[d]} expert copies = {need / (1L << 30):F1} GiB of weights, over its {capacity / (1L << 30):F1} GiB for experts");
        }
    }

    private static string Describe(List<int> ids) =>
        ids.Count <= 8 ? string.Join(", ", ids) : $"{string.Join(", ", ids.Take(8))} and {ids.Count - 8} more";

    private static void Add(InputErrorList errors, string file, YamlNode at, string field, string problem) =>
        errors.Add(file, (int)at.Start.Line, (int)at.Start.Column, field, problem);
}
