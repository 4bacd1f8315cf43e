using MoESim.Cli;

namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable] // runs the CLI in the repository root
public class TypoSuggestionTests
{
    [TestCase("simulate --modle mixtral-8x7b", "'--modle': did you mean '--model'?", "see 'moesim simulate --help'")]
    [TestCase("simulat", "'simulat': did you mean 'simulate'?", "see 'moesim --help'")]
    [TestCase("trace stat x", "'stat': did you mean 'stats'?", "see 'moesim trace --help'")]
    [TestCase("trace stats x --no-plot", "'--no-plot': did you mean '--no-plots'?", "see 'moesim trace stats --help'")]
    public void A_typo_gets_the_closest_name_and_the_help_of_its_command(string line, string suggestion, string help)
    {
        var (exit, _, stderr) = CliTestSupport.Run(line.Split(' '));
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(suggestion).And.Contain(help));
    }

    [Test]
    public void Nothing_close_gets_no_suggestion_and_help_names_moesim()
    {
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--zzzzzzzz");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Not.Contain("did you mean"));
        var (ok, help, _) = CliTestSupport.Run("--help");
        Assert.That(ok, Is.EqualTo(0));
        Assert.That(help, Does.Contain("moesim [command] [options]").And.Not.Contain("MoESim.Cli"));
    }

    [TestCase("kitten", "sitting", 3)]
    [TestCase("--modle", "--model", 2)]
    [TestCase("", "abc", 3)]
    [TestCase("same", "same", 0)]
    public void Edit_distance_by_hand(string a, string b, int expected) =>
        Assert.That(TypoSuggestions.Distance(a, b), Is.EqualTo(expected));
}
