using MoESim.Models;
using MoESim.Tests.Config;

namespace MoESim.Tests.Models;

[TestFixture]
public class LayerProgramTests
{
    private static LayerProgram Shipped(string name) => LayerProgram.For(ModelLoader.Load(Path.Combine(RepoPaths.Models, name + ".yaml")));

    [Test]
    public void DeepSeek_v3_runs_three_dense_layers_then_58_moe_layers_with_shared_experts()
    {
        var p = Shipped("deepseek-v3");
        Assert.That((p.Layers, p.MoeLayers, p.DenseLayers), Is.EqualTo((61, 58, 3)));
        Assert.That(p.CountOf(LayerOperator.Attention), Is.EqualTo(61));
        Assert.That(p.CountOf(LayerOperator.DenseFfn), Is.EqualTo(3));
        foreach (var op in new[] { LayerOperator.Router, LayerOperator.SharedExpert, LayerOperator.Dispatch, LayerOperator.RoutedExperts, LayerOperator.Combine })
            Assert.That(p.CountOf(op), Is.EqualTo(58), op.ToString());
        Assert.That(p.CountOf(LayerOperator.LmHead), Is.EqualTo(1));
        // 61 attention + 3 FFN + 58 × 5 MoE operators + the LM head.
        Assert.That(p.Count, Is.EqualTo(61 + 3 + 58 * 5 + 1));
        // Layer 3 is the first MoE layer: attention, router, shared, dispatch, experts, combine.
        var layer3 = Enumerable.Range(0, p.Count).Select(i => p[i]).Where(e => e.Layer == 3).Select(e => e.Operator);
        Assert.That(layer3, Is.EqualTo(new[] { LayerOperator.Attention, LayerOperator.Router, LayerOperator.SharedExpert, LayerOperator.Dispatch, LayerOperator.RoutedExperts, LayerOperator.Combine }));
        Assert.That(Enumerable.Range(0, p.Count).Select(i => p[i]).First(e => e.Operator == LayerOperator.RoutedExperts), Is.EqualTo(new LayerProgram.Entry(LayerOperator.RoutedExperts, 3, 0)));
        Assert.That(p[p.Count - 1].Operator, Is.EqualTo(LayerOperator.LmHead));
    }

    [Test]
    public void Mixtral_has_no_shared_expert_operator_and_codellama_no_moe_operator()
    {
        var mixtral = Shipped("mixtral-8x7b");
        Assert.That(mixtral.CountOf(LayerOperator.SharedExpert), Is.Zero);
        Assert.That(mixtral.CountOf(LayerOperator.RoutedExperts), Is.EqualTo(32));
        var dense = Shipped("codellama-34b");
        Assert.That(dense.MoeLayers, Is.Zero);
        Assert.That(dense.CountOf(LayerOperator.DenseFfn), Is.EqualTo(dense.Layers));
        Assert.That(dense.Count, Is.EqualTo(2 * dense.Layers + 1));
    }
}
