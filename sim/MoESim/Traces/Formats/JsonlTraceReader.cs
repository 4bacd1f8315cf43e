using System.Text.Json;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Streams a JSONL expert-selection trace (see traces/README.md): one line at a time from a
/// reusable buffer, parsed with <see cref="Utf8JsonReader"/>, never the whole file. Every
/// problem is an <see cref="InputException"/> naming the line, the field and what is wrong.
/// </summary>
public sealed class JsonlTraceReader : ISeekableTraceReader
{
    private readonly Utf8LineReader _lines;
    private readonly RoutingStepValidator _validator;
    private readonly JsonlRecordParser _parser;
    private readonly JsonlRecord _record = new();
    private readonly long[] _layerLines; // line of each layer's record in the step being read

    /// <summary>Opens <paramref name="path"/> and reads its header line.</summary>
    public JsonlTraceReader(string path)
    {
        Path = path;
        _lines = new Utf8LineReader(TraceFileOpener.OpenRead(path));
        try
        {
            if (!_lines.TryReadLine(out var header))
                throw new InputException(path, "header", "empty file: expected a header line");
            Shape = JsonlHeaderParser.Parse(path, header);
            _validator = new RoutingStepValidator(Shape);
            _layerLines = new long[Shape.NumMoeLayers];
            _parser = new JsonlRecordParser(path, Shape);
        }
        catch
        {
            _lines.Dispose();
            throw;
        }
    }

    public string Path { get; }
    public TraceShape Shape { get; }
    public TracePosition Position => new(_lines.NextOffset, _lines.LineNumber + 1, 0);

    public void Seek(TracePosition position)
    {
        _lines.Seek(position.ByteOffset, position.Line);
        _validator.CheckOrder = false;
    }

    public bool TryRead(RoutingStep step)
    {
        if (!NextRecord()) return false;
        var r = _record;
        var firstLine = _lines.LineNumber;
        _layerLines[0] = firstLine;
        if (r.Layer != 0)
            throw TraceFileOpener.AtLine(Path, firstLine, 0, "layer", $"request {r.Request} iteration {r.Iteration} starts at layer {r.Layer}; a step's records must run from layer 0 to {Shape.NumMoeLayers - 1} in order");
        int request = r.Request, iteration = r.Iteration, firstToken = r.FirstToken, tokens = r.TokenCount;
        var prefill = r.IsPrefill;
        step.Reset(request, iteration, firstToken, tokens, prefill, Shape.NumMoeLayers, Shape.TopK, Shape.HasGateWeights);
        Copy(step, 0);
        for (var layer = 1; layer < Shape.NumMoeLayers; layer++)
        {
            if (!NextRecord())
                throw TraceFileOpener.AtLine(Path, _lines.LineNumber, 0, "layer", $"truncated: request {request} iteration {iteration} ends after layer {layer - 1}; expected {Shape.NumMoeLayers} layers");
            var line = _lines.LineNumber;
            _layerLines[layer] = line;
            if (r.Request != request || r.Iteration != iteration)
                throw TraceFileOpener.AtLine(Path, line, 0, "layer", $"request {request} iteration {iteration} has only {layer} of {Shape.NumMoeLayers} layers before request {r.Request} iteration {r.Iteration} starts");
            if (r.Layer != layer)
                throw TraceFileOpener.AtLine(Path, line, 0, "layer", $"layer {r.Layer} out of order: expected layer {layer} of request {request} iteration {iteration}");
            if (r.IsPrefill != prefill || r.FirstToken != firstToken)
                throw TraceFileOpener.AtLine(Path, line, 0, r.IsPrefill != prefill ? "phase" : "first_token", $"differs from layer 0 of request {request} iteration {iteration}");
            if (r.TokenCount != tokens)
                throw TraceFileOpener.AtLine(Path, line, 0, "experts", $"{r.TokenCount} tokens, but layer 0 of this step has {tokens}");
            Copy(step, layer);
        }
        if (_validator.Check(step) is { } problem)
            throw problem.Layer >= 0
                ? TraceFileOpener.AtLine(Path, _layerLines[problem.Layer], 0, problem.Field, problem.Problem)
                : TraceFileOpener.AtLine(Path, firstLine, 0, problem.Field, $"{problem.Problem} (step starting at this line)");
        return true;
    }

    private void Copy(RoutingStep step, int layer)
    {
        var n = _record.TokenCount * Shape.TopK;
        _record.Ids.AsSpan(0, n).CopyTo(step.Layer(layer));
        if (Shape.HasGateWeights) _record.Weights.AsSpan(0, n).CopyTo(step.GateWeights.Slice(layer * n, n));
    }

    private bool NextRecord()
    {
        while (_lines.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue;
            _parser.Parse(line, _lines.LineNumber, _record);
            return true;
        }
        return false;
    }

    public void Dispose() => _lines.Dispose();
}
