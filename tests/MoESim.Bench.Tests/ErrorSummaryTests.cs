using MoESim.Bench.Validation;

namespace MoESim.Bench.Tests;

/// <summary>Error figures from a hand-made measured/predicted table, checked against hand-computed values.</summary>
[TestFixture]
public sealed class ErrorSummaryTests
{
    private static ValidationRow Row(string family, bool fit, double measured, double predicted, bool composite = false) =>
        new(family, "v", "s", fit, composite, measured, predicted);

    [Test]
    public void MedianAndP90_FollowR7()
    {
        // |errors| = 10, 20, 30, 40, 50 %. Median = 30. p90: h = (5-1)·0.9 = 3.6 → 40 + 0.6·(50-40) = 46.
        var rows = new[]
        {
            Row("gemm", false, 1.0, 1.1), Row("gemm", false, 2.0, 1.6), Row("gemm", false, 1.0, 1.3),
            Row("gemm", false, 5.0, 3.0), Row("gemm", false, 2.0, 3.0),
        };
        var s = ErrorSummary.Of("gemm", "held-out", rows);
        Assert.That(s.Count, Is.EqualTo(5));
        Assert.That(s.MedianAbsPercent, Is.EqualTo(30).Within(1e-9));
        Assert.That(s.P90AbsPercent, Is.EqualTo(46).Within(1e-9));
    }

    [Test]
    public void Summaries_SeparateFitHeldOutAndComposite()
    {
        var rows = new[]
        {
            Row("gemm", true, 1.0, 1.0),          // 0 %
            Row("gemm", false, 1.0, 1.2),         // 20 %
            Row("stream", false, 4.0, 3.0),       // 25 %
            Row("stream", true, 2.0, 2.1),        // 5 %
            Row("moe_layer", false, 1.0, 0.9, composite: true), // 10 %
        };
        var all = ErrorSummary.Summarise(rows);
        ErrorSummary Find(string g, string s) => all.Single(x => x.Group == g && x.Subset == s);
        Assert.That(Find("gemm", "held-out").MedianAbsPercent, Is.EqualTo(20).Within(1e-9));
        Assert.That(Find("ALL single kernels", "fit").MedianAbsPercent, Is.EqualTo(2.5).Within(1e-9));
        // held-out singles: 20 and 25 → median 22.5, p90 = 20 + 0.9·5 = 24.5.
        Assert.That(Find("ALL single kernels", "held-out").MedianAbsPercent, Is.EqualTo(22.5).Within(1e-9));
        Assert.That(Find("ALL single kernels", "held-out").P90AbsPercent, Is.EqualTo(24.5).Within(1e-9));
        Assert.That(Find("ALL composites", "composite (held-out)").MedianAbsPercent, Is.EqualTo(10).Within(1e-9));
        Assert.That(all.Any(x => x.Subset == "fit" && x.Group == "moe_layer"), Is.False, "composites are never in the fit subset");
    }
}
