using AccelSim.Configuration.Yaml;

namespace AccelSim.Configuration;

/// <summary>Collects the problems of one file, with positions, so that all of them can be reported together.</summary>
internal sealed class ConfigErrors(string file)
{
    private readonly List<ConfigError> _items = [];

    /// <summary>The file as the user named it.</summary>
    public string File { get; } = file;

    public int Count => _items.Count;

    /// <summary>Reports a problem at a node; a node supplied by an override names that override first.</summary>
    public void Add(DocNode at, string message) =>
        Add(at.Line, at.Column, at.Origin is null ? message : $"override '{at.Origin}': {message}");

    public void Add(int line, int column, string message) => _items.Add(new ConfigError(File, line, column, message));

    /// <summary>The problems in position order; problems at the same position keep the order they were found in.</summary>
    public IReadOnlyList<ConfigError> Sorted() => [.. _items.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
