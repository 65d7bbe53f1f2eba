using System.Globalization;

namespace AccelSim.Configuration.Yaml;

/// <summary>Copies and reads parsed YAML trees, so that a file parsed once can take each point's overrides.</summary>
internal static class DocTree
{
    /// <summary>A deep copy of a tree as parsed (overrides mark the nodes they change, so copy before applying any).</summary>
    public static DocNode Clone(DocNode node)
    {
        if (node.Origin is not null)
        {
            throw new InvalidOperationException("Only trees as parsed may be copied; this one already took overrides.");
        }

        switch (node)
        {
            case DocScalar scalar:
                return new DocScalar(scalar.Value, scalar.IsPlain, scalar.Line, scalar.Column);
            case DocSequence sequence:
                var list = new DocSequence(sequence.Line, sequence.Column);
                list.Items.AddRange(sequence.Items.Select(Clone));
                return list;
            case DocMapping mapping:
                var map = new DocMapping(mapping.Line, mapping.Column);
                map.Entries.AddRange(mapping.Entries.Select(e => new DocEntry((DocScalar)Clone(e.Key), Clone(e.Value))));
                return map;
            default:
                throw new InvalidOperationException($"Unknown node type {node.GetType().Name}.");
        }
    }

    /// <summary>
    /// The number at a dotted key path, selecting list items by name (longest dotted match first) or 0-based index,
    /// as overrides do; null with the reason when the path leads nowhere or to something other than a number.
    /// </summary>
    public static (double? Value, string Reason) Number(DocNode root, string path)
    {
        string[] segments = path.Split('.');
        DocNode node = root;
        for (int i = 0; i < segments.Length;)
        {
            string here = string.Join('.', segments[..i]);
            switch (node)
            {
                case DocMapping map when map.Find(segments[i]) is { } entry:
                    node = entry.Value;
                    i++;
                    break;
                case DocSequence list when SelectItem(list, segments, i) is { Item: { } item } selected:
                    node = item;
                    i += selected.Consumed;
                    break;
                default:
                    return (null, $"{path} is not set{(here.Length > 0 ? $" ({here} has no '{segments[i]}')" : "")}");
            }
        }

        return Scalars.TryNumber(node, out double value)
            ? (value, "")
            : (null, $"{path} is {Scalars.Describe(node)}, not a number");
    }

    private static (DocNode? Item, int Consumed) SelectItem(DocSequence list, string[] segments, int start)
    {
        for (int count = segments.Length - start; count >= 1; count--)
        {
            string candidate = string.Join('.', segments[start..(start + count)]);
            DocNode? named = list.Items.Find(n => n is DocMapping m && m.Find("name")?.Value is DocScalar { IsNull: false } name && name.Value == candidate);
            if (named is not null)
            {
                return (named, count);
            }
        }

        return int.TryParse(segments[start], NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < list.Items.Count
            ? (list.Items[index], 1)
            : (null, 0);
    }
}
