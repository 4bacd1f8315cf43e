using MoESim.Randomness;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>The vectorised one-byte id check against a plain reading of the rule: ids below E, k distinct per group.</summary>
[TestFixture]
public class ByteIdCheckTests
{
    private static bool Reference(byte[] ids, int experts, int k)
    {
        for (var start = 0; start < ids.Length; start += k)
            for (var a = 0; a < k; a++)
            {
                if (ids[start + a] >= experts) return false;
                for (var b = a + 1; b < k; b++) if (ids[start + a] == ids[start + b]) return false;
            }
        return true;
    }

    [TestCase(new byte[] { 0, 1, 2, 3 }, 4, 2, true)]
    [TestCase(new byte[] { 0, 1, 2, 4 }, 4, 2, false)]  // 4 is out of range 0..3
    [TestCase(new byte[] { 0, 1, 3, 3 }, 4, 2, false)]  // repeat in the second pair
    [TestCase(new byte[] { 1, 0, 0, 1 }, 4, 2, true)]   // repeats across pairs are fine
    [TestCase(new byte[] { 5, 5 }, 8, 1, true)]         // k = 1: every id its own token
    [TestCase(new byte[] { 0, 1, 2, 0, 1, 2 }, 3, 3, true)]
    [TestCase(new byte[] { 0, 1, 0 }, 3, 3, false)]     // odd k takes the scalar path
    [TestCase(new byte[] { 255, 0 }, 256, 2, true)]
    [TestCase(new byte[] { 255, 255 }, 256, 2, false)]
    public void HandCases(byte[] ids, int experts, int k, bool valid) =>
        Assert.That(ByteIdCheck.IsValid(ids, experts, k), Is.EqualTo(valid));

    [TestCase(8, 2)]
    [TestCase(6, 2)]
    [TestCase(16, 4)]
    [TestCase(64, 8)]
    [TestCase(33, 3)]
    [TestCase(60, 1)]
    public void OneFault_AnywhereInLongSteps_IsFound(int experts, int k)
    {
        var random = new SeededRandom((ulong)(experts * 10 + k));
        foreach (var groups in new[] { 1, 16, 17, 100 })
        {
            var ids = ValidIds(random, experts, k, groups);
            Assert.That(ByteIdCheck.IsValid(ids, experts, k), Is.True, $"{groups} valid groups");
            for (var trial = 0; trial < 20; trial++)
            {
                var faulty = (byte[])ids.Clone();
                var at = random.NextInt(faulty.Length);
                if (trial % 2 == 0 && k > 1) faulty[at] = faulty[at - at % k + (at % k + 1) % k]; // copy a neighbour in the group
                else faulty[at] = (byte)(experts + random.NextInt(256 - experts));
                if (experts == 256 && trial % 2 == 1) continue;
                Assert.That(ByteIdCheck.IsValid(faulty, experts, k), Is.EqualTo(Reference(faulty, experts, k)).And.False, $"fault at {at} of {faulty.Length}");
            }
        }
    }

    private static byte[] ValidIds(SeededRandom random, int experts, int k, int groups)
    {
        var ids = new byte[groups * k];
        for (var g = 0; g < groups; g++)
        {
            var start = random.NextInt(experts);
            for (var j = 0; j < k; j++) ids[g * k + j] = (byte)((start + j) % experts);
        }
        return ids;
    }
}
