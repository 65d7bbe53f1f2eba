namespace AccelSim.Configuration.Yaml;

/// <summary>
/// Applies <see cref="ConfigOverride"/>s to a parsed document before validation. Key paths are resolved against the
/// file format's <see cref="MapSchema"/>, so a misspelt or unsettable path is an error listing what is allowed there,
/// reported at the deepest part of the path that exists in the file.
/// </summary>
internal static class OverrideApplier
{
    public static void Apply(DocNode document, MapSchema schema, IReadOnlyList<ConfigOverride> overrides, ConfigErrors errors)
    {
        if (document is not DocMapping root)
        {
            return; // the reader reports a document that is not a mapping
        }

        foreach (ConfigOverride item in overrides)
        {
            ApplyOne(root, schema, item, errors);
        }
    }

    private static void ApplyOne(DocMapping root, MapSchema schema, ConfigOverride item, ConfigErrors errors)
    {
        string[] segments = item.KeyPath.Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            errors.Add(root, $"override '{item.KeyPath}': the key path has an empty segment; write key.path=value, e.g. bfp.mantissa_bits=6");
            return;
        }

        Position? at = new(root, schema, "", root, 0);
        while (at is not null)
        {
            at = Step(at, segments, item, errors);
        }
    }

    /// <summary>Where the walk down a key path stands: the mapping reached and its schema, the dotted path to it ("" at the
    /// top), the node errors there are reported at, and the index of the next segment.</summary>
    private sealed record Position(DocMapping Map, MapSchema MapSchema, string Path, DocNode Anchor, int Index);

    /// <summary>Resolves the next segment: sets the value when it is the last one, else descends into a mapping or a list
    /// item. Returns where the walk goes on, or null once the value is set or an error is reported.</summary>
    private static Position? Step(Position at, string[] segments, ConfigOverride item, ConfigErrors errors)
    {
        (DocMapping map, MapSchema mapSchema, string path, DocNode anchor, int i) = at;
        string segment = segments[i];
        if (mapSchema.Find(segment) is not { } spec)
        {
            string under = path.Length == 0 ? "at the top level" : $"under {path}";
            errors.Add(anchor, $"override '{item.KeyPath}': no such key; allowed {under}: {mapSchema.AllowedList}");
            return null;
        }

        string here = path.Length == 0 ? segment : $"{path}.{segment}";
        DocEntry? entry = map.Find(segment);
        if (i == segments.Length - 1)
        {
            DocNode target = entry?.Value ?? anchor;
            if (ParseValue(item, target, errors) is { } value)
            {
                value.AttributeTo(item.ToString(), target.Line, target.Column);
                SetEntry(map, entry, segment, value, item, anchor);
            }

            return null;
        }

        if (spec.Map is { } childSchema)
        {
            return IntoMapping(at, segment, here, entry, childSchema, item, errors);
        }

        if (spec.Items is { } itemSchema)
        {
            return IntoListItem(at, segments, here, entry, itemSchema, item, errors);
        }

        errors.Add(entry?.Key ?? anchor, $"override '{item.KeyPath}': {here} takes a value, not keys; set {here}=... instead");
        return null;
    }

    /// <summary>Descends into the mapping at <paramref name="here"/>, creating it when the key is absent or null; null
    /// (with an error) when the file has a value there that is not a mapping.</summary>
    private static Position? IntoMapping(
        Position at, string segment, string here, DocEntry? entry, MapSchema childSchema, ConfigOverride item, ConfigErrors errors)
    {
        (DocMapping map, _, _, DocNode anchor, int i) = at;
        if (entry is null || Scalars.IsNull(entry.Value))
        {
            var created = new DocMapping(anchor.Line, anchor.Column);
            created.AttributeTo(item.ToString(), anchor.Line, anchor.Column);
            entry = SetEntry(map, entry, segment, created, item, anchor);
        }
        else if (entry.Value is not DocMapping)
        {
            errors.Add(entry.Value,
                $"override '{item.KeyPath}': {here} is {Scalars.Describe(entry.Value)}, not a mapping, so it has no keys to set; set it whole instead ({here}=...)");
            return null;
        }

        return new Position((DocMapping)entry.Value, childSchema, here, entry.Key, i + 1);
    }

    /// <summary>Descends into the list item the next segments select (see <see cref="SelectItem"/>); null (with an error)
    /// when there is no list, no such item, the item is not a mapping, or no key inside it is named.</summary>
    private static Position? IntoListItem(
        Position at, string[] segments, string here, DocEntry? entry, MapSchema itemSchema, ConfigOverride item, ConfigErrors errors)
    {
        (_, _, _, DocNode anchor, int i) = at;
        if (entry?.Value is not DocSequence list)
        {
            errors.Add(entry?.Key ?? anchor, $"override '{item.KeyPath}': {here} is not a list in this file, so it has no items to select");
            return null;
        }

        (DocNode? selected, int consumed) = SelectItem(list, segments, i + 1);
        if (list.Items.Count == 0)
        {
            errors.Add(entry.Key, $"override '{item.KeyPath}': {here} is an empty list, so it has no items to select");
            return null;
        }

        if (selected is null)
        {
            errors.Add(entry.Key,
                $"override '{item.KeyPath}': {here} has no item '{segments[i + 1]}'; select one by 0-based index (0 to {list.Items.Count - 1}) or by name: {string.Join(", ", list.Items.Select(NameOf).OfType<string>())}");
            return null;
        }

        string label = string.Join('.', segments[(i + 1)..(i + 1 + consumed)]);
        if (selected is not DocMapping selectedMap)
        {
            errors.Add(selected, $"override '{item.KeyPath}': {here}.{label} is {Scalars.Describe(selected)}, not a mapping, so it has no keys to set");
            return null;
        }

        if (i + 1 + consumed >= segments.Length)
        {
            errors.Add(selected, $"override '{item.KeyPath}': a whole list item cannot be set; name a key inside it: {itemSchema.AllowedList}");
            return null;
        }

        return new Position(selectedMap, itemSchema, $"{here}.{label}", selected, i + 1 + consumed);
    }

    /// <summary>Replaces the value of the first entry with this key, or appends a new entry.</summary>
    private static DocEntry SetEntry(DocMapping map, DocEntry? entry, string key, DocNode value, ConfigOverride item, DocNode anchor)
    {
        if (entry is not null)
        {
            entry.Value = value;
            return entry;
        }

        var keyNode = new DocScalar(key, isPlain: true, anchor.Line, anchor.Column);
        keyNode.AttributeTo(item.ToString(), anchor.Line, anchor.Column);
        var added = new DocEntry(keyNode, value);
        map.Entries.Add(added);
        return added;
    }

    /// <summary>
    /// Finds a list item by its <c>name</c> (the longest name that matches the next segments, since names may contain
    /// dots), else by 0-based index. Returns the item and how many segments selected it.
    /// </summary>
    private static (DocNode? Item, int Consumed) SelectItem(DocSequence list, string[] segments, int start)
    {
        for (int count = segments.Length - start; count >= 1; count--)
        {
            string candidate = string.Join('.', segments[start..(start + count)]);
            DocNode? named = list.Items.Find(n => NameOf(n) == candidate);
            if (named is not null)
            {
                return (named, count);
            }
        }

        bool isIndex = int.TryParse(segments[start], System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out int index);
        return isIndex && index < list.Items.Count ? (list.Items[index], 1) : (null, 0);
    }

    private static string? NameOf(DocNode item) =>
        item is DocMapping map && map.Find("name")?.Value is DocScalar { IsNull: false } name ? name.Value : null;

    private static DocNode? ParseValue(ConfigOverride item, DocNode anchor, ConfigErrors errors)
    {
        if (item.Value.Trim().Length == 0)
        {
            return new DocScalar("", isPlain: true, anchor.Line, anchor.Column);
        }

        var valueErrors = new ConfigErrors(ConfigOverride.CommandLine);
        DocNode? value = DocParser.Parse(item.Value, valueErrors);
        if (value is null || valueErrors.Count > 0)
        {
            string reason = string.Join("; ", valueErrors.Sorted().Select(e => e.Message));
            errors.Add(anchor, $"override '{item}': the value is not valid YAML: {reason}");
            return null;
        }

        return value;
    }
}
