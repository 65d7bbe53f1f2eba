using AccelSim.Configuration.Yaml;

namespace AccelSim.Configuration;

/// <summary>The values of one read variant of a file (after its overrides), looked up by key path.</summary>
public sealed class ConfigValues
{
    private readonly DocNode _tree;

    internal ConfigValues(DocNode tree) => _tree = tree;

    /// <summary>
    /// The number at a dotted key path, selecting list items by name (longest dotted match first) or 0-based index,
    /// as overrides do; null with the reason when the path leads nowhere or to something other than a number.
    /// </summary>
    public (double? Value, string Reason) Number(string path) => DocTree.Number(_tree, path);
}
