using System.Collections.Immutable;
using AccelSim.Configuration.Yaml;
using AccelSim.Energy;

namespace AccelSim.Configuration;

/// <summary>Validates an energy-table document and builds the <see cref="EnergyTable"/>.</summary>
internal static class EnergyTableReader
{
    private static readonly MapSchema PointSchema = new("capacity_bytes", "pj");

    private static readonly MapSchema EntrySchema =
        new("pj", new KeySpec("points", Items: PointSchema), "reference_bits", "scaling", "source");

    /// <summary>The top-level keys. <c>entries</c> holds one mapping per entry name, checked against <see cref="EnergyEntryNames.Required"/>.</summary>
    public static readonly MapSchema Schema = new("version", "name", "technology_nm", "entries");

    private static readonly Choices<EnergyScaling> Scalings = Choices.FromEnum<EnergyScaling>();

    private static readonly IntRule TechnologyRule = new(1, 1000);
    private static readonly IntRule ReferenceBitsRule = new(1, 65536);
    private static readonly IntRule CapacityRule = new(1, long.MaxValue);

    /// <summary>What each required entry prices, for the message when it is missing.</summary>
    private static readonly ImmutableDictionary<string, string> Purposes = new Dictionary<string, string>
    {
        [EnergyEntryNames.IntegerMultiply] = "mantissa multiplies in the PE array",
        [EnergyEntryNames.IntegerAdd] = "accumulator adds in the PE array",
        [EnergyEntryNames.FloatAdd] = "float32 adds and compares on the vector unit",
        [EnergyEntryNames.FloatMultiply] = "float32 multiplies that scale outputs by the block steps",
        [EnergyEntryNames.SramAccess] = "SRAM buffer accesses",
        [EnergyEntryNames.DramAccess] = "DRAM accesses",
        [EnergyEntryNames.BfpInputConvert] = "float-to-BFP conversions",
        [EnergyEntryNames.BfpOutputConvert] = "accumulator-to-float32 conversions",
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>Reads the table; returns null when any error was reported.</summary>
    public static EnergyTable? Read(DocNode document, ConfigErrors errors)
    {
        if (MapReader.Root(document, Schema, errors) is not { } root)
        {
            return null;
        }

        int errorsBefore = errors.Count;
        root.CheckVersion();
        string? name = root.Text("name");
        int? technology = root.Int32("technology_nm", TechnologyRule);
        ImmutableSortedDictionary<string, EnergyEntry>? entries = ReadEntries(root, name ?? "?");

        if (errors.Count > errorsBefore || name is null || technology is null || entries is null)
        {
            return null;
        }

        return new EnergyTable { Name = name, TechnologyNanometers = technology.Value, Entries = entries };
    }

    private static ImmutableSortedDictionary<string, EnergyEntry>? ReadEntries(MapReader root, string tableName)
    {
        string known = string.Join(", ", EnergyEntryNames.Required);
        if (root.Value("entries", required: true, $"a mapping from entry name to its figure; required entries: {known}") is not { } node)
        {
            return null;
        }

        if (node is not DocMapping map)
        {
            root.Errors.Add(node, $"entries must be a mapping from entry name to its figure, was {Scalars.Describe(node)}");
            return null;
        }

        // Opening the mapping reports repeated entry names.
        _ = MapReader.Open(map, "entries", "a mapping", root.Errors);
        DocScalar anchor = root.Entry("entries")!.Key;
        int errorsBefore = root.Errors.Count;
        var builder = ImmutableSortedDictionary.CreateBuilder<string, EnergyEntry>(StringComparer.Ordinal);
        foreach (DocEntry entry in map.Entries)
        {
            string name = entry.Key.Value;
            if (!EnergyEntryNames.Required.Contains(name))
            {
                root.Errors.Add(entry.Key, $"unknown energy entry '{name}'; known entries: {known}");
            }
            else if (ReadEntry(entry, root.Errors) is { } read)
            {
                builder.TryAdd(name, read); // a repeated name is already reported by the reader above
            }
        }

        foreach (string required in EnergyEntryNames.Required)
        {
            if (map.Find(required) is null)
            {
                string purpose = Purposes.TryGetValue(required, out string? p) ? p : "an action of the energy model";
                root.Errors.Add(anchor,
                    $"energy table '{tableName}' has no entry '{required}' (needed to price {purpose}); required entries: {known}");
            }
        }

        return root.Errors.Count > errorsBefore ? null : builder.ToImmutable();
    }

    private static EnergyEntry? ReadEntry(DocEntry named, ConfigErrors errors)
    {
        string name = named.Key.Value;
        string path = $"entries.{name}";
        if (MapReader.Open(named.Value, path, $"a mapping with keys {EntrySchema.AllowedList}", errors, named.Key) is not { } entry)
        {
            return null;
        }

        entry.CheckKeys(EntrySchema);
        int errorsBefore = errors.Count;
        bool hasPj = entry.Has("pj");
        bool hasPoints = entry.Has("points");
        double? pj = entry.Number("pj", NumberRule.NonNegative, required: false);
        ImmutableArray<EnergyPoint>? points = hasPoints ? ReadPoints(entry) : [];
        int? referenceBits = entry.Int32("reference_bits", ReferenceBitsRule);
        EnergyScaling? scaling = entry.Choice("scaling", Scalings);
        string? source = entry.Text("source");

        if (hasPj && hasPoints)
        {
            errors.Add(entry.Entry("points")!.Key, $"{path} has both pj and points; give exactly one: pj for a single figure, points for figures by memory capacity");
        }
        else if (!hasPj && !hasPoints)
        {
            errors.Add(entry.Anchor, $"{path} needs exactly one of pj (a single figure in picojoules) or points (figures by memory capacity)");
        }

        if (errors.Count > errorsBefore || referenceBits is null || scaling is null || source is null || points is null)
        {
            return null;
        }

        return new EnergyEntry
        {
            Name = name,
            PicoJoules = pj,
            Points = points.Value,
            ReferenceBits = referenceBits.Value,
            Scaling = scaling.Value,
            Source = source,
        };
    }

    private static ImmutableArray<EnergyPoint>? ReadPoints(MapReader entry)
    {
        const string Description = "a non-empty list of { capacity_bytes, pj } with capacities strictly increasing";
        if (entry.Sequence("points", Description) is not { } list)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            entry.Errors.Add(list, $"{entry.Full("points")} must be {Description}, was an empty list");
            return null;
        }

        int errorsBefore = entry.Errors.Count;
        var points = ImmutableArray.CreateBuilder<EnergyPoint>();
        long? previous = null;
        for (int i = 0; i < list.Items.Count; i++)
        {
            string path = $"{entry.Full("points")}.{i}";
            if (MapReader.Open(list.Items[i], path, "a mapping with keys capacity_bytes, pj", entry.Errors) is not { } point)
            {
                previous = null;
                continue;
            }

            point.CheckKeys(PointSchema);
            long? capacity = point.Integer("capacity_bytes", CapacityRule);
            double? pj = point.Number("pj", NumberRule.NonNegative);
            if (capacity is { } c && previous is { } p && c <= p)
            {
                point.Errors.Add(point.Entry("capacity_bytes")!.Value,
                    $"{point.Full("capacity_bytes")} must be greater than the previous point's {p} (capacities strictly increase), was {c}");
            }

            previous = capacity;
            if (capacity is { } cap && pj is { } e)
            {
                points.Add(new EnergyPoint(cap, e));
            }
        }

        return entry.Errors.Count > errorsBefore ? null : points.ToImmutable();
    }
}
