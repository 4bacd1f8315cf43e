using System.Buffers.Binary;
using MoESim.Randomness;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Tests.Traces.Formats;

/// <summary>
/// <see cref="MoeTraceReader.TryReadPacked"/> (ids viewed in the chunk buffer, checked as packed
/// bytes) against the widening <see cref="MoeTraceReader.TryRead"/> and against a plain
/// reference of the id checks.
/// </summary>
[TestFixture]
public class PackedTraceReadTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    [TestCase(8, 2, false)]
    [TestCase(256, 8, true)]
    [TestCase(300, 4, true)] // uint16 ids
    public void PackedStepsCarryTheSameFieldsIdsAndWeightsAsWidenedSteps(int experts, int k, bool weights)
    {
        var shape = new TraceShape { NumMoeLayers = 3, NumExperts = experts, TopK = k, HasGateWeights = weights };
        var path = Path.Combine(_dir.Path, "p.moetrace");
        TraceTestFiles.WritePattern(path, shape, 60, 30, 16_000 / k); // about 3 M selections: several 1 MiB chunks
        using var widened = new MoeTraceReader(path);
        using var packed = new MoeTraceReader(path);
        var step = new RoutingStep();
        var steps = 0;
        var mismatches = 0;
        while (widened.TryRead(step))
        {
            Assert.That(packed.TryReadPacked(out var p), Is.True);
            steps++;
            var ids = new int[p.Selections];
            for (var i = 0; i < ids.Length; i++) ids[i] = p.IdBytes == 1 ? p.ExpertIdBytes[i] : BinaryPrimitives.ReadUInt16LittleEndian(p.ExpertIdBytes[(2 * i)..]);
            var same = (p.RequestId, p.Iteration, p.FirstTokenIndex, p.TokenCount, p.IsPrefill) == (step.RequestId, step.Iteration, step.FirstTokenIndex, step.TokenCount, step.IsPrefill)
                && ids.AsSpan().SequenceEqual(step.ExpertIds)
                && p.GateWeightBytes.Length == (weights ? 4 * ids.Length : 0)
                && (!weights || p.GateWeightBytes.SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(step.GateWeights)));
            if (!same) mismatches++;
        }
        Assert.That(packed.TryReadPacked(out _), Is.False);
        Assert.That((steps, mismatches), Is.EqualTo((60 * 31, 0)));
        Assert.That(packed.ChunksRead, Is.GreaterThan(1));
        Assert.That(packed.StepsRead, Is.EqualTo(widened.StepsRead));
    }

    /// <summary>
    /// Random steps, most clean, some with one planted repeat (any pair of slots, any token, ids
    /// including 0, 255 and values one bit apart): the packed uint8 and uint16 checks find exactly
    /// the first bad token that a plain pairwise reference finds, with the message of the int check.
    /// </summary>
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(6)]
    [TestCase(8)]
    public void ByteIdCheckMatchesAPairwiseReference(int k)
    {
        var random = new SeededRandom(40 + (ulong)k);
        var flagged = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var experts = trial % 3 == 0 ? 256 : trial % 3 == 1 ? 257 + random.NextInt(400) : 16 + random.NextInt(241);
            experts = Math.Max(experts, k);
            var shape = new TraceShape { NumMoeLayers = 2, NumExperts = experts, TopK = k };
            var tokens = 1 + random.NextInt(40);
            var ids = new int[2 * tokens * k];
            for (var g = 0; g < ids.Length; g += k)
            {
                // Distinct ids per token; bias towards the edge values of the SWAR test.
                var chosen = new HashSet<int>();
                for (var j = 0; j < k; j++)
                {
                    int e;
                    do e = random.NextDouble() < 0.3 ? new[] { 0, experts - 1, 0x80 % experts, 0x7F % experts, 1 }[random.NextInt(5)] : random.NextInt(experts);
                    while (!chosen.Add(e));
                    ids[g + j] = e;
                }
            }
            if (random.NextDouble() < 0.5)
            {
                var g = random.NextInt(ids.Length / k) * k;
                var a = random.NextInt(k);
                var b = (a + 1 + random.NextInt(k - 1)) % k;
                ids[g + b] = ids[g + a];
            }
            var expected = FirstRepeatReference(ids, k);
            var widened = new RoutingStepValidator(shape).CheckSelections<int>(ids, tokens, k, 10);
            var packed = new RoutingStepValidator(shape).CheckSelections<ushort>(ids.Select(i => (ushort)i).ToArray(), tokens, k, 10);
            Assert.That(packed, Is.EqualTo(widened), $"trial {trial} (uint16 ids)");
            if (experts <= 256)
            {
                packed = new RoutingStepValidator(shape).CheckSelections<byte>(ids.Select(i => (byte)i).ToArray(), tokens, k, 10);
                Assert.That(packed, Is.EqualTo(widened), $"trial {trial} (uint8 ids)");
            }
            if (expected < 0) Assert.That(packed, Is.Null, $"trial {trial}: clean step flagged");
            else
            {
                flagged++;
                var layer = expected / (tokens * k);
                var token = expected % (tokens * k) / k;
                Assert.That(packed?.Problem, Does.Contain($"of token {10 + token} at layer {layer}"), $"trial {trial}");
            }
        }
        Assert.That(flagged, Is.InRange(150, 250), "about half the trials carry a repeat");
    }

    [TestCase(200, 200)]
    [TestCase(17, 17)]
    [TestCase(300, 300)]
    public void OutOfRangePackedIdIsFound(int experts, int badId)
    {
        var shape = new TraceShape { NumMoeLayers = 1, NumExperts = experts, TopK = 1 };
        var validator = new RoutingStepValidator(shape);
        if (experts <= 256)
        {
            var bytes = Enumerable.Repeat((byte)(experts - 1), 70).ToArray();
            bytes[61] = (byte)badId;
            Assert.That(validator.CheckSelections<byte>(bytes, 70, 1, 0)?.Problem, Is.EqualTo($"expert id {badId} out of range 0..{experts - 1} (layer 0, token 61)"));
        }
        var wide = Enumerable.Repeat((ushort)(experts - 1), 70).ToArray();
        wide[61] = (ushort)badId;
        Assert.That(validator.CheckSelections<ushort>(wide, 70, 1, 0)?.Problem, Is.EqualTo($"expert id {badId} out of range 0..{experts - 1} (layer 0, token 61)"));
    }

    // Index of the first id of the first group of k with a repeated id, or -1.
    private static int FirstRepeatReference(int[] ids, int k)
    {
        for (var g = 0; g < ids.Length; g += k)
            for (var a = 0; a < k; a++)
                for (var b = a + 1; b < k; b++)
                    if (ids[g + a] == ids[g + b]) return g;
        return -1;
    }
}
