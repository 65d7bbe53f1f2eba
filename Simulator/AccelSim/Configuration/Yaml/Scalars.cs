using System.Globalization;
using System.Text.RegularExpressions;

namespace AccelSim.Configuration.Yaml;

/// <summary>An allowed integer range, optionally restricted to multiples of a step; describes itself for messages.</summary>
internal readonly record struct IntRule(long Min, long Max, long MultipleOf = 1)
{
    public bool Accepts(long value) => value >= Min && value <= Max && value % MultipleOf == 0;

    public string Describe()
    {
        string what = MultipleOf == 1 ? "an integer" : $"a multiple of {MultipleOf}";
        return Max == long.MaxValue ? $"{what} of at least {Min}" : $"{what} from {Min} to {Max}";
    }
}

/// <summary>An allowed range of finite real numbers, bounded below.</summary>
internal readonly record struct NumberRule(double Min, bool MinExclusive)
{
    public static NumberRule Positive => new(0, MinExclusive: true);

    public static NumberRule NonNegative => new(0, MinExclusive: false);

    public bool Accepts(double value) => double.IsFinite(value) && (MinExclusive ? value > Min : value >= Min);

    public string Describe() => MinExclusive
        ? string.Create(CultureInfo.InvariantCulture, $"a number greater than {Min}")
        : string.Create(CultureInfo.InvariantCulture, $"a number of at least {Min}");
}

/// <summary>The range a setting must stay within so that the arithmetic on it cannot overflow, with the reason for the
/// bound. Checked after the value's <see cref="IntRule"/> or <see cref="NumberRule"/> (its type and sign), so the
/// message for a value of the wrong type or sign stays that rule's.</summary>
/// <param name="Min">The smallest value allowed.</param>
/// <param name="Max">The largest value allowed.</param>
/// <param name="Why">What the bound means or protects, for the message (<c>1 kHz to 100 GHz</c>).</param>
internal readonly record struct Limit(double Min, double Max, string Why)
{
    public bool Accepts(double value) => value >= Min && value <= Max;

    public string Describe() => $"from {Format(Min)} to {Format(Max)} ({Why})";

    /// <summary>Whole numbers in full, tiny ones as <c>1e-6</c>.</summary>
    private static string Format(double value) =>
        value != 0 && Math.Abs(value) < 0.001 ? value.ToString("0.###e0", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads typed values from scalars under the YAML 1.2 core schema, strictly: integers are decimal, numbers have no
/// <c>.inf</c>/<c>.nan</c>, booleans are <c>true</c>/<c>false</c>, and a quoted scalar is always a string.
/// </summary>
internal static partial class Scalars
{
    public static bool TryInteger(DocNode node, out long value)
    {
        value = 0;
        return node is DocScalar { IsPlain: true } s && IntegerPattern().IsMatch(s.Value)
            && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryUnsigned(DocNode node, out ulong value)
    {
        value = 0;
        return node is DocScalar { IsPlain: true } s && IntegerPattern().IsMatch(s.Value)
            && ulong.TryParse(s.Value.TrimStart('+'), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryNumber(DocNode node, out double value)
    {
        value = 0;
        return node is DocScalar { IsPlain: true } s && NumberPattern().IsMatch(s.Value)
            && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryBoolean(DocNode node, out bool value)
    {
        value = false;
        switch (node)
        {
            case DocScalar { IsPlain: true, Value: "true" or "True" or "TRUE" }:
                value = true;
                return true;
            case DocScalar { IsPlain: true, Value: "false" or "False" or "FALSE" }:
                return true;
            default:
                return false;
        }
    }

    /// <summary>A string value: any non-null scalar (a plain <c>123</c> is accepted as the text "123").</summary>
    public static bool TryText(DocNode node, out string value)
    {
        if (node is DocScalar { IsNull: false } s)
        {
            value = s.Value;
            return true;
        }

        value = "";
        return false;
    }

    public static bool IsNull(DocNode? node) => node is DocScalar { IsNull: true };

    /// <summary>How a value appears in "was ..." messages: numbers bare, text quoted, collections by kind.</summary>
    public static string Describe(DocNode node)
    {
        switch (node)
        {
            case DocMapping:
                return "a mapping";
            case DocSequence:
                return "a list";
            case DocScalar { IsNull: true }:
                return "empty";
            case DocScalar s:
                string text = s.Value.Length > 40 ? string.Concat(s.Value.AsSpan(0, 37), "...") : s.Value;
                text = text.Replace("\n", "\\n", StringComparison.Ordinal);
                bool looksNumeric = NumberPattern().IsMatch(s.Value);
                if (s.IsPlain && looksNumeric)
                {
                    return text;
                }

                return !s.IsPlain && looksNumeric ? $"'{text}' (a quoted string)" : $"'{text}'";
            default:
                return "?";
        }
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberPattern();
}
