using MoESim.Config;
using MoESim.Traces;

namespace MoESim.Tests.Traces;

[TestFixture]
public class RequestTraceReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "moesim-trace-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Write(string content, string name = "trace.csv")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertRequest(Request r, int id, double arrival, int prompt, int output)
    {
        Assert.That(r.Id, Is.EqualTo(id));
        Assert.That(r.ArrivalSeconds, Is.EqualTo(arrival).Within(1e-9));
        Assert.That(r.PromptTokens, Is.EqualTo(prompt));
        Assert.That(r.OutputTokens, Is.EqualTo(output));
    }

    [Test]
    public void MoESimLayout_IsRead()
    {
        var path = Write("arrival_s,prompt_tokens,output_tokens\n0.5,100,20\n1.25,7,3\n");
        var requests = RequestTraceReader.Read(path);
        Assert.That(requests, Has.Count.EqualTo(2));
        // Arrival times are kept as given (only a negative origin would be shifted).
        AssertRequest(requests[0], 0, 0.5, 100, 20);
        AssertRequest(requests[1], 1, 1.25, 7, 3);
    }

    [Test]
    public void MoESimLayout_ColumnsInAnyOrder_ExtraColumnsIgnored()
    {
        var path = Write("output_tokens,note,prompt_tokens,arrival_s\n20,x,100,0.5\n");
        var requests = RequestTraceReader.Read(path);
        AssertRequest(requests[0], 0, 0.5, 100, 20);
    }

    [Test]
    public void AzureLayout_DateTimesBecomeSecondsSinceFirst()
    {
        // 18:15:47.1805900 - 18:15:46.6805900 = 0.5 s; 18:16:46.6805900 is 60 s after the first.
        var path = Write("TIMESTAMP,ContextTokens,GeneratedTokens\n" +
                         "2023-11-16 18:15:46.6805900,374,44\n" +
                         "2023-11-16 18:15:47.1805900,396,109\n" +
                         "2023-11-16 18:16:46.6805900,879,55\n");
        var requests = RequestTraceReader.Read(path);
        Assert.That(requests, Has.Count.EqualTo(3));
        AssertRequest(requests[0], 0, 0.0, 374, 44);
        AssertRequest(requests[1], 1, 0.5, 396, 109);
        AssertRequest(requests[2], 2, 60.0, 879, 55);
    }

    [Test]
    public void AzureLayout_EarlierTimestampLater_IsSortedAndShiftedToZero()
    {
        // The second row is 5 s before the first: origin moves to it, arrivals 0 and 5 s.
        var path = Write("TIMESTAMP,ContextTokens,GeneratedTokens\n" +
                         "2023-11-16 10:00:05,10,1\n" +
                         "2023-11-16 10:00:00,20,2\n");
        var requests = RequestTraceReader.Read(path);
        AssertRequest(requests[0], 0, 0.0, 20, 2);
        AssertRequest(requests[1], 1, 5.0, 10, 1);
    }

    [Test]
    public void SplitwiseLayout_IsRead()
    {
        var path = Write("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,374,44\n4.314579,396,109\n");
        var requests = RequestTraceReader.Read(path);
        AssertRequest(requests[0], 0, 0.0, 374, 44);
        AssertRequest(requests[1], 1, 4.314579, 396, 109);
    }

    [Test]
    public void WholeNumbersWrittenAsDecimals_AreAccepted()
    {
        var path = Write("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,374.0,44.0\n");
        AssertRequest(RequestTraceReader.Read(path)[0], 0, 0.0, 374, 44);
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(5)]
    public void MaxRequests_LimitsCount(int max)
    {
        var path = Write("arrival_s,prompt_tokens,output_tokens\n0,1,1\n1,2,2\n2,3,3\n3,4,4\n4,5,5\n");
        var requests = RequestTraceReader.Read(path, max);
        Assert.That(requests, Has.Count.EqualTo(max));
        Assert.That(requests[^1].PromptTokens, Is.EqualTo(max));
    }

    [Test]
    public void UnsortedInput_IsSortedByArrival_StableForTies_AndRenumbered()
    {
        var path = Write("arrival_s,prompt_tokens,output_tokens\n3.0,30,3\n1.0,10,1\n2.0,21,2\n2.0,22,2\n0.5,5,5\n");
        var requests = RequestTraceReader.Read(path);
        Assert.That(requests.Select(r => r.ArrivalSeconds), Is.EqualTo(new[] { 0.5, 1.0, 2.0, 2.0, 3.0 }));
        Assert.That(requests.Select(r => r.PromptTokens), Is.EqualTo(new[] { 5, 10, 21, 22, 30 }));
        Assert.That(requests.Select(r => r.Id), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }

    [Test]
    public void BlankLines_AreSkipped_AndLineNumbersStillCount()
    {
        var path = Write("arrival_s,prompt_tokens,output_tokens\n\n0,1,1\n\nx,2,2\n");
        var ex = Assert.Throws<InputException>(() => RequestTraceReader.Read(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:5: arrival_s:"));
    }

    // Each bad input gives an InputException naming the file, the 1-based line and the field.
    [TestCase("", "1", "", "empty", TestName = "Bad_EmptyFile")]
    [TestCase("arrival_s,prompt_tokens,output_tokens\n", "1", "", "no request rows", TestName = "Bad_HeaderOnly")]
    [TestCase("time,in,out\n0,1,1\n", "1:1", "header", "unrecognised columns", TestName = "Bad_UnknownHeader")]
    [TestCase("arrival_s,prompt_tokens,output_tokens\n0,1,1\n1,abc,5\n", "3", "prompt_tokens", "'abc'", TestName = "Bad_NonNumericTokens")]
    [TestCase("arrival_s,prompt_tokens,output_tokens\n0,10,0\n", "2", "output_tokens", "'0'", TestName = "Bad_ZeroTokens")]
    [TestCase("arrival_s,prompt_tokens,output_tokens\n0,10,5\n0.5,10,5\n-1,10,5\n", "4", "arrival_s", "'-1'", TestName = "Bad_NegativeArrival")]
    [TestCase("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,12\n", "2", "", "expected 3 comma-separated fields, got 2", TestName = "Bad_TooFewFields")]
    [TestCase("TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,10,5\n", "2", "TIMESTAMP", "date-time", TestName = "Bad_AzureTimestamp")]
    [TestCase("arrival_s,prompt_tokens,output_tokens\n0,1.5,5\n", "2", "prompt_tokens", "whole number", TestName = "Bad_FractionalTokens")]
    public void BadInput_GivesInputExceptionWithFileLineAndField(string content, string line, string field, string problem)
    {
        var path = Write(content);
        var ex = Assert.Throws<InputException>(() => RequestTraceReader.Read(path))!;
        var where = $"{path}:{line}:";
        Assert.That(ex.Message, Does.Contain(where));
        if (field.Length > 0) Assert.That(ex.Message, Does.Contain($"{where} {field}:"));
        Assert.That(ex.Message, Does.Contain(problem));
    }

    [Test]
    public void SeveralBadRows_AreAllReported()
    {
        var path = Write("arrival_s,prompt_tokens,output_tokens\n0,x,1\n1,2,y\n");
        var ex = Assert.Throws<InputException>(() => RequestTraceReader.Read(path))!;
        Assert.That(ex.Errors, Has.Count.EqualTo(2));
        Assert.That(ex.Message, Does.Contain($"{path}:2: prompt_tokens:"));
        Assert.That(ex.Message, Does.Contain($"{path}:3: output_tokens:"));
    }

    [Test]
    public void MissingFile_GivesInputException()
    {
        var path = Path.Combine(_dir, "nope.csv");
        var ex = Assert.Throws<InputException>(() => RequestTraceReader.Read(path))!;
        Assert.That(ex.Message, Does.Contain("nope.csv").And.Contain("not found"));
    }

    [Test]
    public void ReferenceSplitwiseConversationTrace_First100Rows()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MoESim.sln"))) dir = dir.Parent;
        if (dir is null) Assert.Ignore("repository root (MoESim.sln) not found above the test directory");
        var path = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "reference", "workloads", "splitwise_conv.csv"));
        if (!File.Exists(path)) Assert.Ignore($"reference trace not present: {path}");
        var requests = RequestTraceReader.Read(path, 100);
        Assert.That(requests, Has.Count.EqualTo(100));
        // First data row of the file: "0.0,374,44".
        AssertRequest(requests[0], 0, 0.0, 374, 44);
        Assert.That(requests.Select(r => r.ArrivalSeconds), Is.Ordered);
    }
}
