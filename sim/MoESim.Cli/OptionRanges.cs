using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MoESim.Cli;

/// <summary>
/// Range checks attached to numeric options as parse validators, so a bad value (NaN, an
/// infinity, out of range) is a parse error, reported as <c>--option: problem</c> with every other
/// parse error and exit code 2, before any input is read. Every floating-point option must carry
/// one (a test walks the command tree): NaN passes every <c>&lt;</c>/<c>&gt;</c> comparison.
/// </summary>
internal static class OptionRanges
{
    /// <summary>Accepts finite values in [<paramref name="min"/>, <paramref name="max"/>] (<paramref name="minExclusive"/>: (min, max]; <paramref name="maxExclusive"/>: [min, max)).</summary>
    public static Option<double> InRange(this Option<double> option, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        option.Validators.Add(result => CheckDouble(result, option.Name, Value<double>(result), min, max, minExclusive, maxExclusive));
        return option;
    }

    /// <summary>As <see cref="InRange(Option{double}, double, double, bool, bool)"/> for an option that may be left out.</summary>
    public static Option<double?> InRange(this Option<double?> option, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        option.Validators.Add(result =>
        {
            if (Value<double?>(result) is { } value) CheckDouble(result, option.Name, value, min, max, minExclusive, maxExclusive);
        });
        return option;
    }

    /// <summary>
    /// Accepts any finite value: for options whose range a later check reports in the words of
    /// the configuration it fills (that check, written with &lt; and &gt;, would let NaN through).
    /// </summary>
    public static Option<double> Finite(this Option<double> option) =>
        option.InRange(double.MinValue, double.MaxValue);

    /// <summary>As <see cref="Finite(Option{double})"/> for an option that may be left out.</summary>
    public static Option<double?> Finite(this Option<double?> option) =>
        option.InRange(double.MinValue, double.MaxValue);

    /// <summary>Accepts whole numbers in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="rule"/> words the range in the message when given.</summary>
    public static Option<int> InRange(this Option<int> option, int min, int max = int.MaxValue, string? rule = null)
    {
        option.Validators.Add(result => CheckInt(result, option.Name, Value<int>(result), min, max, rule));
        return option;
    }

    /// <summary>As <see cref="InRange(Option{int}, int, int, string)"/> for an option that may be left out.</summary>
    public static Option<int?> InRange(this Option<int?> option, int min, int max = int.MaxValue)
    {
        option.Validators.Add(result =>
        {
            if (Value<int?>(result) is { } value) CheckInt(result, option.Name, value, min, max, null);
        });
        return option;
    }

    /// <summary>The parsed value, or default when the text did not convert (System.CommandLine reports that itself).</summary>
    private static T? Value<T>(OptionResult result)
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    private static void CheckDouble(OptionResult result, string name, double value, double min, double max, bool minExclusive, bool maxExclusive)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (!double.IsFinite(value))
        {
            result.AddError($"{name}: must be a finite number, got {text}");
            return;
        }
        var low = minExclusive ? value <= min : value < min;
        var high = maxExclusive ? value >= max : value > max;
        if (!low && !high) return;
        var lowText = min.ToString(CultureInfo.InvariantCulture);
        var highText = max.ToString(CultureInfo.InvariantCulture);
        var range = double.IsPositiveInfinity(max) || max == double.MaxValue
            ? (minExclusive ? $"greater than {lowText}" : $"at least {lowText}")
            : $"in {(minExclusive ? "(" : "[")}{lowText}, {highText}{(maxExclusive ? ")" : "]")}";
        result.AddError($"{name}: must be {range}, got {text}");
    }

    private static void CheckInt(OptionResult result, string name, int value, int min, int max, string? rule)
    {
        if (value >= min && value <= max) return;
        var range = rule ?? (max == int.MaxValue ? $"at least {min}" : $"in {min}..{max}");
        result.AddError($"{name}: must be {range}, got {value}");
    }
}
