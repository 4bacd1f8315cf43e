using System.Buffers;
using System.Text.Json;
using MoESim.IO;

namespace MoESim.Traces.Formats;

/// <summary>
/// Writes an expert-selection trace as JSONL: a header object, then one record per (request,
/// iteration, layer), a step's layers consecutive and in order. Atomic (temp file + rename).
/// </summary>
public sealed class JsonlTraceWriter : IRoutingTraceWriter
{
    private const int FlushBytes = 1 << 16;
    private readonly TraceShape _shape;
    private readonly AtomicFileWriter _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushBytes * 2);
    private readonly Utf8JsonWriter _json;

    /// <summary>Starts a trace of <paramref name="shape"/> at <paramref name="path"/> (written by <see cref="Complete"/>).</summary>
    public JsonlTraceWriter(string path, TraceShape shape)
    {
        _shape = shape;
        _file = new AtomicFileWriter(path);
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
        _json.WriteString("format", JsonlTraceFormat.FormatTag);
        _json.WriteNumber("version", JsonlTraceFormat.Version);
        _json.WriteString("model", shape.ModelName);
        _json.WriteNumber("moe_layers", shape.NumMoeLayers);
        _json.WriteNumber("experts", shape.NumExperts);
        _json.WriteNumber("top_k", shape.TopK);
        _json.WriteBoolean("gate_weights", shape.HasGateWeights);
        _json.WriteEndObject();
        EndLine();
    }

    public void Write(RoutingStep step)
    {
        TraceShapeGuard.Check(_shape, step);
        var k = step.TopK;
        for (var layer = 0; layer < step.NumMoeLayers; layer++)
        {
            _json.WriteStartObject();
            _json.WriteNumber("request", step.RequestId);
            _json.WriteNumber("iteration", step.Iteration);
            _json.WriteString("phase", step.IsPrefill ? JsonlTraceFormat.Prefill : JsonlTraceFormat.Decode);
            _json.WriteNumber("first_token", step.FirstTokenIndex);
            _json.WriteNumber("layer", layer);
            var ids = step.Layer(layer);
            _json.WriteStartArray("experts");
            for (var t = 0; t < step.TokenCount; t++)
            {
                _json.WriteStartArray();
                foreach (var id in ids.Slice(t * k, k)) _json.WriteNumberValue(id);
                _json.WriteEndArray();
            }
            _json.WriteEndArray();
            if (_shape.HasGateWeights)
            {
                var weights = step.GateWeights.Slice(layer * step.TokenCount * k, step.TokenCount * k);
                _json.WriteStartArray("weights");
                for (var t = 0; t < step.TokenCount; t++)
                {
                    _json.WriteStartArray();
                    foreach (var w in weights.Slice(t * k, k)) _json.WriteNumberValue(w);
                    _json.WriteEndArray();
                }
                _json.WriteEndArray();
            }
            _json.WriteEndObject();
            EndLine();
        }
    }

    private void EndLine()
    {
        _json.Flush();
        _json.Reset();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        if (_buffer.WrittenCount >= FlushBytes) Drain();
    }

    private void Drain()
    {
        _file.Stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    public void Complete()
    {
        Drain();
        _file.Commit();
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}
