using System.Globalization;

namespace MoESim.Tests.Cli;

/// <summary>The command line prints numbers the same way on every machine, whatever its locale.</summary>
[TestFixture]
[NonParallelizable] // changes the current directory and culture
public class CliCultureTests
{
    [Test]
    public void UnderAGermanLocale_OutputAndErrorsUseADecimalPoint()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--max-requests", "5", "--no-plots", "--out", CliTestSupport.TempDir());
            Assert.That(exit, Is.EqualTo(0), stderr);
            Assert.That(stdout, Does.Match(@"throughput: \d+\.\d output tokens/s"));
            (exit, _, stderr) = CliTestSupport.Run("trace", "stats", "traces/samples/tiny.jsonl", "--sample-fraction", "1.5", "--out", CliTestSupport.TempDir());
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("1.5").And.Not.Contain("1,5"));
            Assert.That(CultureInfo.CurrentCulture.Name, Is.EqualTo("de-DE"), "the caller's culture is put back");
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
