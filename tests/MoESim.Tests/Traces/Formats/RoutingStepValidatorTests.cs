using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Tests.Traces.Formats;

[TestFixture]
public class RoutingStepValidatorTests
{
    /// <summary>A step of 2 layers × 13 tokens whose ids are distinct per token, then one repeat planted.</summary>
    [TestCase(2, 8, 0, 0, 1)]
    [TestCase(2, 8, 1, 12, 1)]
    [TestCase(4, 16, 0, 5, 3)]
    [TestCase(4, 16, 1, 7, 2)]
    [TestCase(8, 64, 0, 3, 7)]
    [TestCase(8, 256, 1, 12, 4)]
    [TestCase(8, 300, 1, 6, 1)]
    [TestCase(3, 9, 0, 11, 2)]
    [TestCase(6, 64, 1, 9, 5)]
    public void DuplicateIsFoundAtTheRightTokenAndLayer(int k, int experts, int layer, int token, int choice)
    {
        var shape = new TraceShape { NumMoeLayers = 2, NumExperts = experts, TopK = k };
        var step = new RoutingStep();
        step.Reset(0, 0, 100, 13, true, 2, k, false);
        for (var l = 0; l < 2; l++)
            for (var t = 0; t < 13; t++)
            {
                var ids = step.Experts(l, t);
                for (var j = 0; j < k; j++) ids[j] = (t * 5 + l * 3 + j) % experts;
            }
        var validator = new RoutingStepValidator(shape);
        Assert.That(validator.Check(step), Is.Null, "a clean step passes");
        var target = step.Experts(layer, token);
        target[choice] = target[choice == 0 ? 1 : 0];
        var problem = validator.CheckSelections(step);
        Assert.That(problem, Is.Not.Null);
        Assert.That(problem!.Value.Problem, Does.Contain($"top-{k} of token {100 + token} at layer {layer}").And.Contain($"expert {target[choice]} appears twice"));
    }

    [TestCase(8)]
    [TestCase(64)]
    [TestCase(300)]
    public void OutOfRangeId_IsFound(int experts)
    {
        var shape = new TraceShape { NumMoeLayers = 1, NumExperts = experts, TopK = 1 };
        var step = new RoutingStep();
        step.Reset(0, 0, 0, 40, true, 1, 1, false);
        step.ExpertIds.Fill(experts - 1);
        step.ExpertIds[37] = experts;
        var problem = new RoutingStepValidator(shape).CheckSelections(step);
        Assert.That(problem!.Value.Problem, Is.EqualTo($"expert id {experts} out of range 0..{experts - 1} (layer 0, token 37)"));
    }
}
