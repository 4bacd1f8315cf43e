namespace MoESim.Units;

/// <summary>Numeric formats for weights, activations, KV cache and compute peaks.</summary>
public enum DataType
{
    Fp32,
    Bf16,
    Fp16,
    Fp8,
    Int8,
    Int4,
}

/// <summary>Sizes and names of <see cref="DataType"/> values.</summary>
public static class DataTypes
{
    /// <summary>Storage size of one element in bytes (Int4 packs two per byte).</summary>
    public static double BytesPerElement(DataType type) => type switch
    {
        DataType.Fp32 => 4,
        DataType.Bf16 or DataType.Fp16 => 2,
        DataType.Fp8 or DataType.Int8 => 1,
        DataType.Int4 => 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The YAML spelling of a data type (lower case).</summary>
    public static string Name(DataType type) => type.ToString().ToLowerInvariant();

    /// <summary>Parses a YAML spelling; returns false for unknown names.</summary>
    public static bool TryParse(string text, out DataType type)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "fp32": case "float32": type = DataType.Fp32; return true;
            case "bf16": case "bfloat16": type = DataType.Bf16; return true;
            case "fp16": case "float16": type = DataType.Fp16; return true;
            case "fp8": case "float8": type = DataType.Fp8; return true;
            case "int8": type = DataType.Int8; return true;
            case "int4": type = DataType.Int4; return true;
            default: type = default; return false;
        }
    }

    /// <summary>All spellings accepted by <see cref="TryParse"/>, for error messages.</summary>
    public const string AcceptedNames = "fp32, bf16, fp16, fp8, int8, int4";
}
