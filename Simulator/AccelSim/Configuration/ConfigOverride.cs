namespace AccelSim.Configuration;

/// <summary>
/// A change to one value of a configuration file, applied to the parsed YAML before validation so that the new
/// value passes the same checks as one written in the file (sweeps and <c>--set</c> options use this).
/// </summary>
/// <param name="KeyPath">
/// Dot-separated mapping keys (<c>bfp.mantissa_bits</c>). List items are selected by 0-based index
/// (<c>layers.3.kernel</c>) or, in <c>layers</c>, by the layer's name (<c>layers.conv1_1.kernel</c>; a name is tried
/// before an index). Every key must be one the file format allows at that place; allowed keys that the file leaves
/// out are added, together with any mapping on the way to them. The last key's value is replaced whole, whatever it
/// held (a scalar, a list or a mapping).
/// </param>
/// <param name="Value">
/// The new value as YAML text: a scalar (<c>6</c>, <c>row</c>), a flow list (<c>[5, 5]</c>) or a flow mapping
/// (<c>{group: 16}</c>). <c>~</c> sets null, which an optional key treats as absent.
/// </param>
public sealed record ConfigOverride(string KeyPath, string Value)
{
    /// <summary>The file name used in errors about malformed override text.</summary>
    public const string CommandLine = "command line";

    /// <summary>Parses <c>key.path=value</c>; the value is everything after the first <c>=</c>.</summary>
    /// <exception cref="ConfigException">
    /// There is no <c>=</c>, or the key path is empty or has an empty segment; the error's file is <see cref="CommandLine"/>
    /// and its column is the position in <paramref name="text"/>.
    /// </exception>
    public static ConfigOverride Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw Malformed(text, text.Length + 1, "has no '='");
        }

        string keyPath = text[..equals].Trim();
        if (keyPath.Length == 0 || keyPath.Split('.').Any(s => s.Length == 0))
        {
            throw Malformed(text, 1, "has an empty key or key path segment");
        }

        return new ConfigOverride(keyPath, text[(equals + 1)..].Trim());
    }

    /// <summary>The override as written: <c>key.path=value</c>.</summary>
    public override string ToString() => $"{KeyPath}={Value}";

    private static ConfigException Malformed(string text, int column, string problem) =>
        new(new ConfigError(CommandLine, 1, column,
            $"override '{text}' {problem}; write key.path=value, e.g. bfp.mantissa_bits=6 or layers.conv1.kernel=[5, 5]"));
}
