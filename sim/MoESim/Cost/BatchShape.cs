namespace MoESim.Cost;

/// <summary>
/// What one forward pass (one engine iteration) processes, reduced to the sums every cost is
/// linear in, so cost does not loop over sequences. All counts are tokens or sequences.
/// </summary>
public readonly record struct BatchShape
{
    /// <summary>New prompt tokens processed this pass (sum of prefill chunk lengths).</summary>
    public long PrefillTokens { get; init; }

    /// <summary>Sequences with a prefill chunk in this pass.</summary>
    public int PrefillSequences { get; init; }

    /// <summary>
    /// Causal (query, key) pairs over the prefill chunks: sum over chunks of n·c + n(n+1)/2, where
    /// n is the chunk length and c the tokens already cached for that sequence.
    /// </summary>
    public double PrefillAttendedPairs { get; init; }

    /// <summary>Tokens already in the KV cache of the prefilling sequences (read once per chunk).</summary>
    public long PrefillCachedTokens { get; init; }

    /// <summary>Prefilling sequences whose prompt completes this pass (each emits its first token).</summary>
    public int PrefillCompletions { get; init; }

    /// <summary>Sequences generating one token each this pass.</summary>
    public int DecodeSequences { get; init; }

    /// <summary>Sum of the decode sequences' context lengths including the new token.</summary>
    public long DecodeContextTokens { get; init; }

    /// <summary>All tokens that go through the layers' GEMMs.</summary>
    public long Tokens => PrefillTokens + DecodeSequences;

    /// <summary>Tokens whose logits are computed (LM head rows).</summary>
    public long OutputTokens => PrefillCompletions + DecodeSequences;

    /// <summary>A pure decode batch of <paramref name="sequences"/> with equal context.</summary>
    public static BatchShape Decode(int sequences, long contextTokens) => new()
    {
        DecodeSequences = sequences,
        DecodeContextTokens = sequences * contextTokens,
    };

    /// <summary>Whole prompts of <paramref name="promptTokens"/> each, nothing cached yet.</summary>
    public static BatchShape Prefill(int sequences, long promptTokens) => new()
    {
        PrefillTokens = sequences * promptTokens,
        PrefillSequences = sequences,
        PrefillAttendedPairs = sequences * (promptTokens * (promptTokens + 1) / 2.0),
        PrefillCompletions = sequences,
    };
}
