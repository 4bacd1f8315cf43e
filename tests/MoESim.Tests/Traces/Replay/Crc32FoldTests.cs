using MoESim.Traces.Formats;
using System.IO.Hashing;
using MoESim.Randomness;

namespace MoESim.Tests.Traces.Replay;

/// <summary>The folding CRC against System.IO.Hashing (the reference) on many lengths and alignments.</summary>
[TestFixture]
public class Crc32FoldTests
{
    [Test]
    public void KnownCheckValue() =>
        // CRC-32/ISO-HDLC check value of "123456789" (the catalogue's standard test vector).
        Assert.That(Crc32Fold.Hash("123456789"u8), Is.EqualTo(0xCBF43926u));

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(257)]
    [TestCase(319)]
    [TestCase(320)]
    [TestCase(511)]
    [TestCase(512)]
    [TestCase(4096 + 63)]
    [TestCase((1 << 20) + 7)]
    public void MatchesSystemIoHashing(int length)
    {
        var random = new SeededRandom((ulong)length + 1);
        var bytes = new byte[length + 64];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)random.NextInt(256);
        for (var offset = 0; offset < 64; offset += 13)
        {
            var data = bytes.AsSpan(offset, length);
            Assert.That(Crc32Fold.Hash(data), Is.EqualTo(Crc32.HashToUInt32(data)), $"offset {offset}");
        }
    }

    [Test]
    public void EveryLengthUpTo2000_MatchesSystemIoHashing()
    {
        var random = new SeededRandom(7);
        var bytes = new byte[2000];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)random.NextInt(256);
        for (var length = 0; length <= bytes.Length; length++)
            Assert.That(Crc32Fold.Hash(bytes.AsSpan(0, length)), Is.EqualTo(Crc32.HashToUInt32(bytes.AsSpan(0, length))), $"length {length}");
    }
}
