using MoESim.Config;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// Replay's index pass. Over a binary trace with ≤ 256 experts (<see cref="Binary"/>), one read of the file gives the
/// per-request index (<see cref="ReplayIndexEntry"/>), the checks every reader applies (chunk
/// CRCs, every step's ids in range and distinct per token, steps of a request in order) and the
/// <see cref="ReplayRoutingSummary"/> that lets the router count distinct experts without
/// decoding. The order checks keep per-request state in arrays indexed by the request's
/// ordinal (one dictionary lookup per change of request, not per step); a failing step is worded
/// by <see cref="RoutingStepValidator"/>, so messages match the streaming reader's.
/// </summary>
internal static class ReplayIndexScan
{
    /// <summary>
    /// The index of any trace from its streaming reader (ids are checked when a request is
    /// decoded; for a binary trace only step headers are read here).
    /// </summary>
    public static ReplayIndexEntry[] FromReader(ISeekableTraceReader reader)
    {
        var byId = new Dictionary<int, int>();
        var entries = new List<ReplayIndexEntry>();
        var step = new RoutingStep();
        while (true)
        {
            var position = reader.Position;
            var more = reader is MoeTraceReader binary ? binary.TryReadHeaderOnly(step) : reader.TryRead(step);
            if (!more) break;
            if (!byId.TryGetValue(step.RequestId, out var i))
            {
                i = entries.Count;
                byId[step.RequestId] = i;
                entries.Add(new ReplayIndexEntry(step.RequestId, position, 0, 0, 0));
            }
            var e = entries[i];
            entries[i] = step.IsPrefill
                ? e with { Steps = e.Steps + 1, PrefillTokens = checked(e.PrefillTokens + step.TokenCount) }
                : e with { Steps = e.Steps + 1, DecodeTokens = checked(e.DecodeTokens + step.TokenCount) };
        }
        if (entries.Count == 0) throw new InputException(reader.Path, "", "the trace has no steps: nothing to replay");
        return entries.ToArray();
    }

    /// <summary>Scans binary trace <paramref name="path"/> (header <paramref name="header"/>); the summary is null when it would exceed <paramref name="summaryBudgetBytes"/>.</summary>
    public static (ReplayIndexEntry[] Index, ReplayRoutingSummary? Summary) Binary(string path, MoeTraceHeader header, long summaryBudgetBytes)
    {
        var shape = header.Shape;
        int layers = shape.NumMoeLayers, experts = shape.NumExperts, topK = shape.TopK;
        var summary = ReplayRoutingSummary.BytesFor(layers, experts, header.Requests, header.DecodeTokens) <= summaryBudgetBytes
            ? new ReplayRoutingSummary(layers, experts, topK, header.Requests, header.DecodeTokens)
            : null;
        try
        {
            using var scanner = new MoeTraceScanner(path, header);
            var ordinals = new Dictionary<int, int>();
            var entries = new ReplayIndexEntry[16];
            var order = new StepOrder[16];
            var count = 0;
            int lastId = -1, ordinal = -1;
            while (scanner.TryNext(out var step))
            {
                if (step.RequestId != lastId)
                {
                    lastId = step.RequestId;
                    if (!ordinals.TryGetValue(lastId, out ordinal))
                    {
                        ordinal = count++;
                        ordinals[lastId] = ordinal;
                        if (ordinal == entries.Length)
                        {
                            Array.Resize(ref entries, 2 * entries.Length);
                            Array.Resize(ref order, 2 * order.Length);
                        }
                        entries[ordinal] = new ReplayIndexEntry(lastId, new TracePosition(scanner.ChunkOffset, 0, scanner.StepInChunk), 0, 0, 0);
                        order[ordinal] = new StepOrder(-1, 0, true);
                        if (summary is not null && !summary.TryAddRequest(ordinal, summaryBudgetBytes))
                        {
                            summary.Dispose(); // the header undercounted requests: route through the decode cache instead
                            summary = null;
                        }
                    }
                }
                ref var entry = ref entries[ordinal];
                // Decode steps are checked while their masks are built; the rest here.
                var idsChecked = false;
                if (summary is not null && !step.IsPrefill)
                    switch (summary.TryAddDecode(ordinal, entry.DecodeTokens, step.Tokens, step.Ids, summaryBudgetBytes))
                    {
                        case ReplayRoutingSummary.DecodeAdd.Added: idsChecked = true; break;
                        case ReplayRoutingSummary.DecodeAdd.BadIds: throw BadIds(scanner, shape, step);
                        default: // the header undercounted decode tokens: as above
                            summary.Dispose();
                            summary = null;
                            break;
                    }
                if (!idsChecked && !ByteIdCheck.IsValid(step.Ids, experts, topK)) throw BadIds(scanner, shape, step);
                CheckOrder(scanner, shape, ref order[ordinal], step);
                if (step.IsPrefill)
                {
                    summary?.AddPrefill(ordinal, entry.PrefillTokens, step.Tokens, step.Ids);
                    entry = entry with { Steps = entry.Steps + 1, PrefillTokens = checked(entry.PrefillTokens + step.Tokens) };
                }
                else entry = entry with { Steps = entry.Steps + 1, DecodeTokens = checked(entry.DecodeTokens + step.Tokens) };
            }
            if (count == 0) throw new InputException(path, "", "the trace has no steps: nothing to replay");
            summary?.Complete();
            return (entries[..count], summary);
        }
        catch
        {
            summary?.Dispose();
            throw;
        }
    }

    private static InputException BadIds(MoeTraceScanner scanner, TraceShape shape, in ScannedStep step)
    {
        var problem = ByteIdCheck.Describe(shape, step);
        return scanner.Error(scanner.StepInChunk, problem.Field, problem.Problem);
    }

    /// <summary>A request's last step: iteration, end token position, phase (iteration -1 before its first).</summary>
    private readonly record struct StepOrder(int Iteration, long EndToken, bool IsPrefill);

    /// <summary>The cross-step checks of <see cref="RoutingStepValidator.CheckSequence(RoutingStep)"/>, on arrays.</summary>
    private static void CheckOrder(MoeTraceScanner scanner, TraceShape shape, ref StepOrder last, in ScannedStep step)
    {
        var end = (long)step.FirstTokenIndex + step.Tokens;
        if (last.Iteration >= 0
            && (step.Iteration <= last.Iteration || step.FirstTokenIndex < last.EndToken
                || (step.Iteration == last.Iteration + 1 && step.FirstTokenIndex != last.EndToken) || (step.IsPrefill && !last.IsPrefill)))
        {
            // Replay the previous step's state into the validator so it words the problem.
            var validator = new RoutingStepValidator(shape);
            var probe = new RoutingStep();
            probe.Reset(step.RequestId, last.Iteration, (int)(last.EndToken - 1), 1, last.IsPrefill, shape.NumMoeLayers, shape.TopK, false);
            validator.CheckSequence(probe);
            probe.Reset(step.RequestId, step.Iteration, step.FirstTokenIndex, step.Tokens, step.IsPrefill, shape.NumMoeLayers, shape.TopK, false);
            var problem = validator.CheckSequence(probe) ?? throw new InvalidOperationException("order check and validator disagree");
            throw scanner.Error(scanner.StepInChunk, problem.Field, problem.Problem);
        }
        last = new StepOrder(step.Iteration, end, step.IsPrefill);
    }
}
