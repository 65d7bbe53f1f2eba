namespace AccelSim.Configuration.Yaml;

/// <summary>
/// A node of a parsed YAML document, with the 1-based position where it starts. Unlike YamlDotNet's representation
/// model, mappings keep every entry in file order, repeated keys included, so that all problems can be reported.
/// </summary>
internal abstract class DocNode
{
    protected DocNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; private set; }

    public int Column { get; private set; }

    /// <summary>The override that supplied this node (<c>key.path=value</c>), or null when it comes from the file.</summary>
    public string? Origin { get; private set; }

    /// <summary>Marks this node and everything below it as supplied by an override, placed at the value it replaces.</summary>
    public void AttributeTo(string origin, int line, int column)
    {
        Origin = origin;
        Line = line;
        Column = column;
        foreach (DocNode child in Children())
        {
            child.AttributeTo(origin, line, column);
        }
    }

    protected abstract IEnumerable<DocNode> Children();
}

/// <summary>A scalar. Plain scalars may be numbers, booleans or null; quoted and block scalars are always strings.</summary>
internal sealed class DocScalar : DocNode
{
    public DocScalar(string value, bool isPlain, int line, int column)
        : base(line, column)
    {
        Value = value;
        IsPlain = isPlain;
    }

    public string Value { get; }

    public bool IsPlain { get; }

    /// <summary>YAML 1.2 core schema null: an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    protected override IEnumerable<DocNode> Children() => [];
}

/// <summary>A mapping entry; the value is replaceable so that overrides can edit the tree before validation.</summary>
internal sealed class DocEntry(DocScalar key, DocNode value)
{
    public DocScalar Key { get; } = key;

    public DocNode Value { get; set; } = value;
}

/// <summary>A mapping with its entries in file order (duplicates kept).</summary>
internal sealed class DocMapping(int line, int column) : DocNode(line, column)
{
    public List<DocEntry> Entries { get; } = [];

    /// <summary>The first entry with this key, or null.</summary>
    public DocEntry? Find(string key) => Entries.Find(e => e.Key.Value == key);

    protected override IEnumerable<DocNode> Children() => Entries.SelectMany(e => new[] { e.Key, e.Value });
}

/// <summary>A sequence (list).</summary>
internal sealed class DocSequence(int line, int column) : DocNode(line, column)
{
    public List<DocNode> Items { get; } = [];

    protected override IEnumerable<DocNode> Children() => Items;
}
