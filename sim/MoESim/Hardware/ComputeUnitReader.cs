using MoESim.Config;
using MoESim.Units;

namespace MoESim.Hardware;

/// <summary>
/// Reads a device profile's <c>units:</c> list (name, kind, optional count, peaks per data type
/// as <c>bf16_tflops</c>/<c>int8_tops</c>, optional <c>memory</c> tier) and reports the old
/// <c>compute:</c> map with what to change.
/// </summary>
internal static class ComputeUnitReader
{
    /// <summary>Reads and validates the units; <paramref name="tierNames"/> are the device's memory tiers, first = default.</summary>
    public static List<ComputeUnitProfile> Read(YamlMapReader map, IReadOnlyList<string> tierNames, bool required)
    {
        var units = new List<ComputeUnitProfile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in map.MapList("units", required))
        {
            var unit = ReadOne(item, tierNames);
            item.Finish();
            if (unit is null) continue;
            if (!seen.Add(unit.Name))
                item.Error("name", $"unit '{unit.Name}' is defined twice (unit names must be unique within a device)");
            units.Add(unit);
        }
        if (units.Count == 0 && map.Has("units"))
            map.Error("units", "needs at least one compute unit (the first is the primary unit, where GEMMs run)");
        return units;
    }

    private static ComputeUnitProfile? ReadOne(YamlMapReader unit, IReadOnlyList<string> tierNames)
    {
        var name = unit.RequiredString("name");
        var kindText = unit.RequiredString("kind");
        ComputeUnitKind kind = default;
        if (kindText.Length > 0 && !KebabCaseEnum.TryParse(kindText, out kind))
            unit.Error("kind", $"unknown unit kind '{kindText}' (expected one of {KebabCaseEnum.AcceptedNames<ComputeUnitKind>()})");
        var count = unit.OptionalInt("count", min: 1);
        var memory = unit.OptionalString("memory");
        if (memory is not null && tierNames.Count > 0 && !tierNames.Contains(memory, StringComparer.Ordinal))
            unit.Error("memory", $"'{memory}' names no memory tier of this device (tiers: {string.Join(", ", tierNames)})");
        var peaks = new Dictionary<DataType, double>();
        foreach (var key in unit.Keys.ToList())
        {
            if (!TryPeakKey(key, out var type)) continue; // left unread: Finish() reports it as an unknown field
            peaks[type] = unit.RequiredDouble(key, min: ProfileLimits.MinPeakTflops) * UnitConversions.FlopsPerTflop;
        }
        if (peaks.Count == 0)
            unit.ErrorHere("needs at least one peak such as bf16_tflops or int8_tops");
        if (name.Length == 0) return null;
        return new ComputeUnitProfile
        {
            Name = name,
            Kind = kind,
            Count = count,
            PeakFlopsPerSecond = peaks,
            MemoryTierName = memory ?? (tierNames.Count > 0 ? tierNames[0] : ""),
        };
    }

    private static bool TryPeakKey(string key, out DataType type)
    {
        type = default;
        var suffix = key.EndsWith("_tflops", StringComparison.Ordinal) ? "_tflops" : key.EndsWith("_tops", StringComparison.Ordinal) ? "_tops" : null;
        return suffix is not null && DataTypes.TryParse(key[..^suffix.Length], out type);
    }

    /// <summary>
    /// Reports a <c>compute:</c> map (the layout before compute units) at its key, spelling out
    /// the <c>units:</c> entry that replaces it with the profile's own peaks.
    /// </summary>
    public static void ReportOldCompute(YamlMapReader map, DeviceKind kind)
    {
        var compute = map.OptionalMap("compute"); // marks the key read: one error, not also "unknown field"
        var peaks = new List<string>();
        if (compute is not null)
        {
            foreach (var key in compute.Keys.ToList())
            {
                var value = compute.OptionalString(key);
                if (value is not null) peaks.Add($"{key}: {value}");
            }
        }
        var (unitName, unitKind) = kind switch
        {
            DeviceKind.Npu => ("cube", ComputeUnitKind.NpuCube),
            DeviceKind.Cpu => ("cores", ComputeUnitKind.CpuCore),
            DeviceKind.Pim => ("pim", ComputeUnitKind.LogicPim),
            _ => ("tensor-cores", ComputeUnitKind.GpuTensorCore),
        };
        var example = $"units: [{{name: {unitName}, kind: {KebabCaseEnum.Name(unitKind)}, {(peaks.Count > 0 ? string.Join(", ", peaks) : "bf16_tflops: ...")}}}]";
        map.KeyError("compute", $"the old layout: replace the compute: map by a list of compute units and move its peaks into the first one, e.g. {example} (see hardware-profiles/README.md)");
    }
}
