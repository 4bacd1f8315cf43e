using System.Globalization;
using System.Text;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Imports the per-token CSV that routing-dump scripts produce
/// (<c>request_id,token_index,layer,expert_ids</c> and optional weights, phase, iteration; see
/// traces/README.md). Rows of a step are token-major (each token's layers 0..L-1 in order,
/// tokens consecutive). Steps: rows with the same request and iteration when an
/// <c>iteration</c> column exists; otherwise a request's consecutive prefill tokens form one
/// step and each decode token its own. Without a <c>phase</c> column every token is prefill.
/// The shape comes from an optional first line <c># shape: moe_layers=L experts=E top_k=K
/// [model=NAME]</c>, else from a first pass over the file (layers = max layer + 1, experts =
/// max id + 1, k = ids per row).
/// </summary>
public sealed class CsvTraceReader : ISeekableTraceReader
{
    private readonly Utf8LineReader _lines;
    private readonly CsvTraceColumns _columns;
    private readonly RoutingStepValidator _validator;
    private readonly Dictionary<int, int> _nextIteration = new();
    private CsvTraceRow _row = new();
    private CsvTraceRow _spare = new();
    private bool _hasRow;
    private int[] _ids = new int[256];
    private float[] _weights = new float[256];
    private long[] _rowLines = new long[64]; // line of each row of the step being read, [token × layers + layer]

    /// <summary>Opens <paramref name="path"/>, reads the shape line or infers the shape, and the column header.</summary>
    public CsvTraceReader(string path)
    {
        Path = path;
        _lines = new Utf8LineReader(TraceFileOpener.OpenRead(path));
        try
        {
            if (!_lines.TryReadLine(out var first)) throw new InputException(path, "header", "empty file: expected a column header");
            TraceShape? declared = null;
            if (first.StartsWith("#"u8))
            {
                declared = ParseShapeLine(path, first);
                if (!_lines.TryReadLine(out first)) throw TraceFileOpener.AtLine(path, 2, 0, "header", "expected a column header after the shape line");
            }
            var headerLine = _lines.LineNumber;
            _columns = new CsvTraceColumns(path, first, headerLine);
            var dataOffset = _lines.NextOffset;
            Shape = declared is null ? Infer(headerLine + 1) : declared with { HasGateWeights = _columns.HasWeights };
            _lines.Seek(dataOffset, headerLine + 1);
            _validator = new RoutingStepValidator(Shape);
        }
        catch
        {
            _lines.Dispose();
            throw;
        }
    }

    public string Path { get; }
    public TraceShape Shape { get; }

    public TracePosition Position
    {
        get
        {
            FillRow();
            return _hasRow ? new TracePosition(_row.Offset, _row.Line, 0) : new TracePosition(_lines.NextOffset, _lines.LineNumber + 1, 0);
        }
    }

    public void Seek(TracePosition position)
    {
        _lines.Seek(position.ByteOffset, position.Line);
        _hasRow = false;
        _validator.CheckOrder = false;
    }

    public bool TryRead(RoutingStep step)
    {
        FillRow();
        if (!_hasRow) return false;
        var layers = Shape.NumMoeLayers;
        var k = Shape.TopK;
        var request = _row.Request;
        var firstToken = _row.Token;
        var firstLine = _row.Line;
        var prefill = _row.IsPrefill;
        var explicitIteration = _row.Iteration;
        var tokens = 0;
        while (true)
        {
            // One token: L rows, layers in order.
            for (var layer = 0; layer < layers; layer++)
            {
                FillRow();
                if (!_hasRow)
                    throw TraceFileOpener.AtLine(Path, _lines.LineNumber, 0, "layer", $"truncated: token {firstToken + tokens} of request {request} ends after layer {layer - 1}; expected {layers} layers");
                var r = _row;
                if (r.Request != request || r.Token != firstToken + tokens || (explicitIteration >= 0 && r.Iteration != explicitIteration))
                    throw TraceFileOpener.AtLine(Path, r.Line, 0, layer == 0 ? "token_index" : "layer",
                        layer == 0 ? $"expected token {firstToken + tokens} of request {request}" : $"token {firstToken + tokens} of request {request} has only {layer} of {layers} layers");
                if (r.Layer != layer)
                    throw TraceFileOpener.AtLine(Path, r.Line, 0, "layer", $"layer {r.Layer} out of order: expected layer {layer} of token {firstToken + tokens} (each token's rows run from layer 0 to {layers - 1})");
                if (r.IsPrefill != prefill) throw TraceFileOpener.AtLine(Path, r.Line, 0, "phase", "differs from the step's first row");
                if (r.IdCount != k) throw TraceFileOpener.AtLine(Path, r.Line, 0, "expert_ids", $"{r.IdCount} experts, expected top_k = {k}");
                if (Shape.HasGateWeights && r.WeightCount != k) throw TraceFileOpener.AtLine(Path, r.Line, 0, "weights", $"{r.WeightCount} weights, expected top_k = {k}");
                var at = (tokens * layers + layer) * k;
                if (at + k > _ids.Length)
                {
                    Array.Resize(ref _ids, _ids.Length * 2);
                    Array.Resize(ref _weights, _weights.Length * 2);
                }
                if (tokens * layers + layer >= _rowLines.Length) Array.Resize(ref _rowLines, _rowLines.Length * 2);
                _rowLines[tokens * layers + layer] = r.Line;
                r.Ids.AsSpan(0, k).CopyTo(_ids.AsSpan(at));
                if (Shape.HasGateWeights) r.Weights.AsSpan(0, k).CopyTo(_weights.AsSpan(at));
                _hasRow = false;
            }
            tokens++;
            FillRow();
            if (!_hasRow || _row.Request != request || _row.Layer != 0) break;
            var continues = explicitIteration >= 0 ? _row.Iteration == explicitIteration : prefill && _row.IsPrefill && _row.Token == firstToken + tokens;
            if (!continues) break;
        }
        int iteration;
        if (explicitIteration >= 0) iteration = explicitIteration;
        else
        {
            iteration = _nextIteration.GetValueOrDefault(request);
            _nextIteration[request] = iteration + 1;
        }
        step.Reset(request, iteration, firstToken, tokens, prefill, layers, k, Shape.HasGateWeights);
        // Token-major rows to the step's layer-major layout.
        for (var t = 0; t < tokens; t++)
            for (var layer = 0; layer < layers; layer++)
            {
                _ids.AsSpan((t * layers + layer) * k, k).CopyTo(step.Experts(layer, t));
                if (Shape.HasGateWeights) _weights.AsSpan((t * layers + layer) * k, k).CopyTo(step.GateWeights.Slice((layer * tokens + t) * k, k));
            }
        if (_validator.Check(step) is { } problem)
            throw problem.Layer >= 0
                ? TraceFileOpener.AtLine(Path, _rowLines[problem.TokenInStep * layers + problem.Layer], 0, problem.Field, problem.Problem)
                : TraceFileOpener.AtLine(Path, firstLine, 0, problem.Field, $"{problem.Problem} (step starting at this line)");
        return true;
    }

    private void FillRow()
    {
        if (_hasRow) return;
        while (_lines.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue;
            (_row, _spare) = (_spare, _row);
            _row.Offset = _lines.LineOffset;
            _columns.Parse(line, _lines.LineNumber, _row);
            if (_row.Layer >= Shape.NumMoeLayers)
                throw TraceFileOpener.AtLine(Path, _row.Line, 0, "layer", $"layer {_row.Layer} out of range 0..{Shape.NumMoeLayers - 1}");
            _hasRow = true;
            return;
        }
    }

    private TraceShape Infer(long firstDataLine)
    {
        var row = new CsvTraceRow();
        int maxLayer = -1, maxExpert = -1, k = -1;
        while (_lines.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue;
            _columns.Parse(line, _lines.LineNumber, row);
            maxLayer = Math.Max(maxLayer, row.Layer);
            for (var i = 0; i < row.IdCount; i++) maxExpert = Math.Max(maxExpert, row.Ids[i]);
            if (k < 0) k = row.IdCount;
        }
        if (maxLayer < 0) throw TraceFileOpener.AtLine(Path, firstDataLine, 0, "row", "no data rows");
        return new TraceShape { NumMoeLayers = maxLayer + 1, NumExperts = Math.Max(maxExpert + 1, k), TopK = k, HasGateWeights = _columns.HasWeights };
    }

    private static TraceShape ParseShapeLine(string path, ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line).TrimStart('#').Trim();
        if (!text.StartsWith("shape:", StringComparison.Ordinal))
            throw TraceFileOpener.AtLine(path, 1, 0, "shape", "a first line starting with # must read \"# shape: moe_layers=L experts=E top_k=K [model=NAME]\"");
        int? layers = null, experts = null, topK = null;
        var model = "";
        foreach (var part in text["shape:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            int? number = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
            switch (key)
            {
                case "moe_layers": layers = number; break;
                case "experts": experts = number; break;
                case "top_k": topK = number; break;
                case "model": model = value; break;
                default: throw TraceFileOpener.AtLine(path, 1, 0, key, "unknown shape key (expected moe_layers, experts, top_k, model)");
            }
        }
        if (layers is null or < 1) throw TraceFileOpener.AtLine(path, 1, 0, "moe_layers", "expected a whole number ≥ 1");
        if (experts is null or < 1 or > 65535) throw TraceFileOpener.AtLine(path, 1, 0, "experts", "expected a whole number in 1..65535");
        if (topK is null or < 1 || topK > experts) throw TraceFileOpener.AtLine(path, 1, 0, "top_k", "expected a whole number in 1..experts");
        return new TraceShape { NumMoeLayers = layers.Value, NumExperts = experts.Value, TopK = topK.Value, ModelName = model };
    }

    public void Dispose() => _lines.Dispose();
}
