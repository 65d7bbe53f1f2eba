namespace AccelSim.Configuration.Yaml;

/// <summary>
/// Reads the keys of one YAML mapping, reporting every problem with its position: repeated keys (on creation),
/// unknown keys (<see cref="CheckKeys"/>), missing required keys (at <see cref="Anchor"/>) and bad values. Each read
/// returns null when the key is absent or its value unusable, so callers can skip cross-field checks on bad fields.
/// </summary>
internal sealed class MapReader
{
    private MapReader(DocMapping map, string path, DocNode anchor, ConfigErrors errors)
    {
        Map = map;
        Path = path;
        Anchor = anchor;
        Errors = errors;
        ReportDuplicates();
    }

    public DocMapping Map { get; }

    /// <summary>The dotted key path of this mapping (<c>buffers.ifmap</c>, <c>layers.conv1</c>); empty at the top level.</summary>
    public string Path { get; }

    /// <summary>Where a missing key is reported: the key that opened this mapping, or the mapping itself.</summary>
    public DocNode Anchor { get; }

    public ConfigErrors Errors { get; }

    /// <summary>This mapping named for messages: <c>in pe_array</c>, <c>at the top level</c>.</summary>
    public string Where => Path.Length == 0 ? "at the top level" : $"in {Path}";

    /// <summary>Opens the top-level mapping of a document; reports and returns null when the document is not a mapping.</summary>
    public static MapReader? Root(DocNode document, MapSchema schema, ConfigErrors errors)
    {
        if (document is not DocMapping map)
        {
            errors.Add(document, $"the file must be a mapping with keys {schema.AllowedList}, was {Scalars.Describe(document)}");
            return null;
        }

        var reader = new MapReader(map, "", map, errors);
        reader.CheckKeys(schema);
        return reader;
    }

    /// <summary>Opens a mapping reached other than by a fixed key (a list item, a named entry); reports and returns null if it is not one.</summary>
    /// <param name="node">The node that should be a mapping.</param>
    /// <param name="path">The mapping's dotted key path, for messages.</param>
    /// <param name="description">What the node should be, for the message when it is not a mapping.</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="anchor">Where missing keys are reported; defaults to the mapping itself.</param>
    public static MapReader? Open(DocNode node, string path, string description, ConfigErrors errors, DocNode? anchor = null)
    {
        if (node is DocMapping map)
        {
            return new MapReader(map, path, anchor ?? map, errors);
        }

        errors.Add(node, $"{path} must be {description}, was {Scalars.Describe(node)}");
        return null;
    }

    public string Full(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Reports every key the schema does not allow, listing the allowed ones.</summary>
    /// <param name="schema">The allowed keys.</param>
    /// <param name="where">How to place this mapping in the message (<c>in layers.c1 (a conv layer)</c>); defaults to <see cref="Where"/>.</param>
    /// <param name="explain">Gives a specific message for a key that is known elsewhere but not allowed here.</param>
    public void CheckKeys(MapSchema schema, string? where = null, Func<string, string?>? explain = null)
    {
        foreach (DocEntry entry in Map.Entries)
        {
            string key = entry.Key.Value;
            if (schema.Find(key) is null)
            {
                string message = explain?.Invoke(key)
                    ?? $"unknown key '{key}' {where ?? Where}; allowed: {schema.AllowedList}";
                Errors.Add(entry.Key, message);
            }
        }
    }

    public DocEntry? Entry(string key) => Map.Find(key);

    /// <summary>True when the key is present with a non-null value.</summary>
    public bool Has(string key) => Map.Find(key) is { } entry && !Scalars.IsNull(entry.Value);

    /// <summary>The key's value node, or null when absent or null; a required key that is missing or null is reported.</summary>
    public DocNode? Value(string key, bool required, string description)
    {
        DocEntry? entry = Map.Find(key);
        if (entry is null)
        {
            if (required)
            {
                Missing(key, description);
            }

            return null;
        }

        if (Scalars.IsNull(entry.Value))
        {
            if (required)
            {
                Errors.Add(entry.Value, $"{Full(key)} must be {description}, was empty");
            }

            return null;
        }

        return entry.Value;
    }

    /// <summary>Checks the required <c>version</c> key; every file format is at version 1 so far.</summary>
    public void CheckVersion()
    {
        if (Value("version", required: true, "1") is { } node && !(Scalars.TryInteger(node, out long version) && version == 1))
        {
            Errors.Add(node, $"version must be 1 (the only format version so far), was {Scalars.Describe(node)}");
        }
    }

    public void Missing(string key, string description) => Errors.Add(Anchor, $"{Full(key)} is required: {description}");

    public long? Integer(string key, IntRule rule, bool required = true) =>
        Value(key, required, rule.Describe()) is { } node ? Values.Integer(node, Full(key), rule, Errors) : null;

    public int? Int32(string key, IntRule rule, bool required = true) =>
        Value(key, required, rule.Describe()) is { } node ? Values.Int32(node, Full(key), rule, Errors) : null;

    /// <summary>An integer of <paramref name="rule"/> that must also be within <paramref name="limit"/>.</summary>
    public long? Integer(string key, IntRule rule, Limit limit, bool required = true) =>
        Value(key, required, rule.Describe()) is { } node ? Values.Integer(node, Full(key), rule, limit, Errors) : null;

    public ulong? Unsigned(string key, bool required = true) =>
        Value(key, required, $"an integer from 0 to {ulong.MaxValue}") is { } node ? Values.Unsigned(node, Full(key), Errors) : null;

    public double? Number(string key, NumberRule rule, bool required = true) =>
        Value(key, required, rule.Describe()) is { } node ? Values.Number(node, Full(key), rule, Errors) : null;

    /// <summary>A number of <paramref name="rule"/> that must also be within <paramref name="limit"/>.</summary>
    public double? Number(string key, NumberRule rule, Limit limit, bool required = true) =>
        Value(key, required, rule.Describe()) is { } node ? Values.Number(node, Full(key), rule, limit, Errors) : null;

    public bool? Boolean(string key, bool required = false) =>
        Value(key, required, "true or false") is { } node ? Values.Boolean(node, Full(key), Errors) : null;

    public string? Text(string key, bool required = true) =>
        Value(key, required, "a non-empty string") is { } node ? Values.Text(node, Full(key), Errors) : null;

    public T? Choice<T>(string key, Choices<T> choices, bool required = true)
        where T : struct =>
        Value(key, required, $"one of {choices.List}") is { } node ? Values.Choice(node, Full(key), choices, Errors) : null;

    /// <summary>Opens the mapping under <paramref name="key"/> and checks its keys against <paramref name="schema"/>.</summary>
    public MapReader? Mapping(string key, MapSchema schema, bool required = true)
    {
        string description = $"a mapping with keys {schema.AllowedList}";
        if (Value(key, required, description) is not { } node)
        {
            return null;
        }

        if (node is not DocMapping map)
        {
            Errors.Add(node, $"{Full(key)} must be {description}, was {Scalars.Describe(node)}");
            return null;
        }

        var child = new MapReader(map, Full(key), Map.Find(key)!.Key, Errors);
        child.CheckKeys(schema);
        return child;
    }

    /// <summary>Opens a mapping that is one form a value may take (a partition's <c>{group: 16}</c>), checking its keys.</summary>
    public MapReader Nested(string key, DocMapping map, MapSchema schema)
    {
        var child = new MapReader(map, Full(key), Map.Find(key)!.Key, Errors);
        child.CheckKeys(schema);
        return child;
    }

    /// <summary>The list under <paramref name="key"/>, or null (reported when required or not a list).</summary>
    public DocSequence? Sequence(string key, string description, bool required = true)
    {
        if (Value(key, required, description) is not { } node)
        {
            return null;
        }

        if (node is DocSequence sequence)
        {
            return sequence;
        }

        Errors.Add(node, $"{Full(key)} must be {description}, was {Scalars.Describe(node)}");
        return null;
    }

    private void ReportDuplicates()
    {
        var seen = new Dictionary<string, DocScalar>(StringComparer.Ordinal);
        foreach (DocEntry entry in Map.Entries)
        {
            if (!seen.TryAdd(entry.Key.Value, entry.Key))
            {
                DocScalar first = seen[entry.Key.Value];
                Errors.Add(entry.Key,
                    $"duplicate key '{entry.Key.Value}' {Where} (first given at line {first.Line}); a key may appear only once");
            }
        }
    }
}
