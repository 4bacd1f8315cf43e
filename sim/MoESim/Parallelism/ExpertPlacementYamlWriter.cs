using System.Globalization;
using System.Text;
using MoESim.IO;

namespace MoESim.Parallelism;

/// <summary>
/// Writes an <see cref="ExpertPlacement"/> as YAML that <see cref="ExpertPlacementYamlReader"/>
/// reads back to the same placement (weights use round-trip formatting).
/// </summary>
/// <remarks>
/// Layout: <c>strategy</c>, <c>num_devices</c>, <c>num_moe_layers</c>, <c>num_experts</c>, then
/// <c>layers:</c>, a list with one entry per MoE layer (<c>layer: i</c> and an <c>experts:</c>
/// mapping from expert id to its devices). An expert with one copy is <c>5: [3]</c>; replicas
/// list their devices and, when not equal, their token shares: <c>5: {devices: [3, 7], weights: [0.6, 0.4]}</c>.
/// </remarks>
public static class ExpertPlacementYamlWriter
{
    /// <summary>The YAML text of <paramref name="placement"/>.</summary>
    public static string ToYaml(ExpertPlacement placement)
    {
        var s = new StringBuilder();
        s.Append("# MoESim expert placement: per MoE layer, expert id -> devices (replicas share the expert's tokens by weight)\n");
        s.Append(CultureInfo.InvariantCulture, $"strategy: {placement.Strategy}\n");
        s.Append(CultureInfo.InvariantCulture, $"num_devices: {placement.NumDevices}\n");
        s.Append(CultureInfo.InvariantCulture, $"num_moe_layers: {placement.NumMoeLayers}\n");
        s.Append(CultureInfo.InvariantCulture, $"num_experts: {placement.NumExperts}\n");
        s.Append("layers:\n");
        for (var l = 0; l < placement.NumMoeLayers; l++)
        {
            s.Append(CultureInfo.InvariantCulture, $"  - layer: {l}\n    experts:\n");
            for (var e = 0; e < placement.NumExperts; e++)
            {
                var replicas = placement.Replicas(l, e);
                var devices = new string[replicas.Length];
                var weights = new string[replicas.Length];
                var equal = true;
                for (var r = 0; r < replicas.Length; r++)
                {
                    devices[r] = replicas[r].Device.ToString(CultureInfo.InvariantCulture);
                    weights[r] = replicas[r].Weight.ToString("R", CultureInfo.InvariantCulture);
                    equal &= replicas[r].Weight == 1.0 / replicas.Length;
                }
                var list = string.Join(", ", devices);
                if (equal)
                    s.Append(CultureInfo.InvariantCulture, $"      {e}: [{list}]\n");
                else
                    s.Append(CultureInfo.InvariantCulture, $"      {e}: {{devices: [{list}], weights: [{string.Join(", ", weights)}]}}\n");
            }
        }
        return s.ToString();
    }

    /// <summary>Writes the YAML to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, ExpertPlacement placement) => AtomicFile.WriteAllText(path, ToYaml(placement));
}
