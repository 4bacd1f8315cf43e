using MoESim.Engine;

namespace MoESim.Tests.Engine;

[TestFixture]
public class MemoryPoolTests
{
    [Test]
    public void Over_allocation_fails_and_changes_nothing()
    {
        var pool = new MemoryPool("hbm", 1000);
        Assert.That(pool.TryAllocate(600), Is.True);
        Assert.That(pool.TryAllocate(401), Is.False);
        Assert.That(pool.UsedBytes, Is.EqualTo(600));
        Assert.That(pool.FailedAllocations, Is.EqualTo(1));
        Assert.That(pool.TryAllocate(400), Is.True);
        Assert.That(pool.AvailableBytes, Is.EqualTo(0));
    }

    [Test]
    public void Peak_is_tracked_across_frees()
    {
        var pool = new MemoryPool("hbm", 1000);
        pool.TryAllocate(300);
        pool.TryAllocate(500);
        pool.Free(700);
        pool.TryAllocate(200);
        Assert.That(pool.UsedBytes, Is.EqualTo(300));
        Assert.That(pool.PeakBytes, Is.EqualTo(800));
    }

    [Test]
    public void Freeing_more_than_allocated_throws()
    {
        var pool = new MemoryPool("hbm", 1000);
        pool.TryAllocate(100);
        Assert.Throws<InvalidOperationException>(() => pool.Free(101));
        Assert.That(pool.UsedBytes, Is.EqualTo(100));
    }

    [TestCase(-1L)]
    public void Negative_sizes_throw(long bytes)
    {
        var pool = new MemoryPool("hbm", 1000);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.TryAllocate(bytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Free(bytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MemoryPool("x", bytes));
    }
}
