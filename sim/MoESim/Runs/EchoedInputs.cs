using System.Globalization;
using MoESim.Models;

namespace MoESim.Runs;

/// <summary>
/// The inputs a run echoes into report.json, in one stable order for every kind of run: the
/// model, then what served it (device or system and its layout, given by the caller), then the
/// workload, router, seed and batching limits.
/// </summary>
public static class EchoedInputs
{
    /// <summary>
    /// The echo of a run of <paramref name="model"/> with <paramref name="options"/> on the platform
    /// <paramref name="platform"/> describes (key, text pairs in order), serving
    /// <paramref name="requestCount"/> requests routed by <paramref name="router"/> (null for a dense
    /// model); <paramref name="batchingSuffix"/> is appended to the batching keys (e.g. "_per_dp_group").
    /// </summary>
    public static Dictionary<string, string> For(SimulationOptions options, ModelConfig model, IEnumerable<KeyValuePair<string, string>> platform,
        int requestCount, string? router, string batchingSuffix = "")
    {
        var inv = CultureInfo.InvariantCulture;
        var o = options;
        var echo = new Dictionary<string, string>
        {
            ["model"] = model.Name,
            ["model_file"] = o.ModelPath,
            ["weight_dtype"] = Units.DataTypes.Name(model.DataTypes.Weights),
        };
        foreach (var (key, value) in platform) echo[key] = value;
        echo["requests"] = o.RequestTracePath ?? $"poisson rate {o.PoissonRatePerSecond.ToString(inv)}/s, prompt {o.PromptTokensMin}-{o.PromptTokensMax}, output {o.OutputTokensMin}-{o.OutputTokensMax}";
        echo["request_count"] = requestCount.ToString(inv);
        echo["router"] = router ?? "none (dense model)";
        echo["routing_trace"] = o.RoutingTracePath ?? "none (synthetic router)";
        echo["seed"] = o.Seed.ToString(inv);
        echo["max_batch_tokens" + batchingSuffix] = o.Serving.MaxBatchTokens.ToString(inv);
        echo["max_sequences" + batchingSuffix] = o.Serving.MaxSequences.ToString(inv);
        echo["memory_utilization"] = o.Serving.MemoryUtilization.ToString(inv);
        return echo;
    }
}
