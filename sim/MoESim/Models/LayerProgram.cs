namespace MoESim.Models;

/// <summary>
/// The operators a forward pass runs, in order, listed once per model and read by every step
/// planner and cost model: per layer, attention; then for an MoE layer router, shared experts
/// (when the model has them), dispatch, routed experts and combine, or for a dense layer the
/// FFN; finally the LM head. Planners add what their layout needs around these (tensor-parallel
/// collectives, expert weight fetches) but never list the layers again.
/// </summary>
public sealed class LayerProgram
{
    private readonly Entry[] _entries;
    private readonly int[] _counts;

    private LayerProgram(Entry[] entries, int layers, int moeLayers)
    {
        _entries = entries;
        Layers = layers;
        MoeLayers = moeLayers;
        _counts = new int[Enum.GetValues<LayerOperator>().Length];
        foreach (var e in entries) _counts[(int)e.Operator]++;
    }

    /// <summary>One operator of one layer: <see cref="Layer"/> is the model layer (−1 for the LM head), <see cref="MoeLayer"/> its index among MoE layers (−1 for a dense layer or the LM head).</summary>
    public readonly record struct Entry(LayerOperator Operator, int Layer, int MoeLayer);

    /// <summary>Operators per pass.</summary>
    public int Count => _entries.Length;

    /// <summary>Model layers.</summary>
    public int Layers { get; }

    /// <summary>MoE layers.</summary>
    public int MoeLayers { get; }

    /// <summary>Dense (non-MoE) layers.</summary>
    public int DenseLayers => Layers - MoeLayers;

    /// <summary>Operator <paramref name="index"/> in running order.</summary>
    public Entry this[int index] => _entries[index];

    /// <summary>How many times a pass runs <paramref name="op"/> (e.g. attention: once per layer).</summary>
    public int CountOf(LayerOperator op) => _counts[(int)op];

    /// <summary>The program of <paramref name="model"/>.</summary>
    public static LayerProgram For(ModelConfig model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entries = new List<Entry>();
        bool shared = model.Moe is { NumSharedExperts: > 0 };
        int moe = 0;
        for (int layer = 0; layer < model.NumLayers; layer++)
        {
            entries.Add(new Entry(LayerOperator.Attention, layer, -1));
            if (model.IsMoeLayer(layer))
            {
                entries.Add(new Entry(LayerOperator.Router, layer, moe));
                if (shared) entries.Add(new Entry(LayerOperator.SharedExpert, layer, moe));
                entries.Add(new Entry(LayerOperator.Dispatch, layer, moe));
                entries.Add(new Entry(LayerOperator.RoutedExperts, layer, moe));
                entries.Add(new Entry(LayerOperator.Combine, layer, moe));
                moe++;
            }
            else
            {
                entries.Add(new Entry(LayerOperator.DenseFfn, layer, -1));
            }
        }
        entries.Add(new Entry(LayerOperator.LmHead, -1, -1));
        return new LayerProgram(entries.ToArray(), model.NumLayers, moe);
    }
}
