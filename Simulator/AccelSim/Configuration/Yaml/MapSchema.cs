using System.Collections.Immutable;

namespace AccelSim.Configuration.Yaml;

/// <summary>
/// The keys a YAML mapping may hold, and which of them open nested mappings or lists of mappings. The readers check
/// keys against it, and overrides resolve their key paths with it, so both agree on what exists.
/// </summary>
internal sealed class MapSchema
{
    public MapSchema(params KeySpec[] keys)
    {
        Keys = [.. keys];
    }

    public ImmutableArray<KeySpec> Keys { get; }

    /// <summary>The allowed keys, comma-separated, in declaration order.</summary>
    public string AllowedList => string.Join(", ", Keys.Select(k => k.Name));

    public KeySpec? Find(string name) => Keys.FirstOrDefault(k => k.Name == name);
}

/// <summary>One allowed key: a plain value, a nested mapping (<see cref="Map"/>) or a list of mappings (<see cref="Items"/>).</summary>
/// <remarks>A key may have a <see cref="Map"/> and still accept a scalar (a partition is <c>row</c> or <c>{group: 16}</c>).</remarks>
internal sealed record KeySpec(string Name, MapSchema? Map = null, MapSchema? Items = null)
{
    public static implicit operator KeySpec(string name) => new(name);
}
