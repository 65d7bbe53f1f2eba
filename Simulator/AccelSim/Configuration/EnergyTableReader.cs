using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Configuration.Yaml;
using AccelSim.Energy;

namespace AccelSim.Configuration;

/// <summary>Validates an energy-table document and builds the <see cref="EnergyTable"/>.</summary>
internal static class EnergyTableReader
{
    private static readonly MapSchema PointSchema = new("capacity_bytes", "pj");

    private static readonly MapSchema EntrySchema =
        new("pj", new KeySpec("points", Items: PointSchema), "microwatts", "reference_bits", "scaling", "source");

    private static readonly MapSchema AreaEntrySchema = new("um2", "reference_bits", "scaling", "source");

    private static readonly MapSchema MultiplierSchema = new("dsp", "lut", "ff", "max_clock_mhz", "source");

    private static readonly MapSchema FpgaSchema = new(
        "family",
        new KeySpec("fixed16_multiplier", MultiplierSchema),
        new KeySpec("float16_multiplier", MultiplierSchema),
        "block_ram_bits",
        "block_ram_max_width_bits",
        "adder_luts_per_bit",
        "adder_ffs_per_bit",
        "source");

    /// <summary>The top-level keys. <c>entries</c> holds one mapping per entry name, checked against <see cref="EnergyEntryNames.Required"/>;
    /// <c>area</c> and <c>fpga</c> are optional.</summary>
    public static readonly MapSchema Schema = new("version", "name", "technology_nm", "entries", "area", new KeySpec("fpga", FpgaSchema));

    /// <summary>Area entries a table may give (all of them when it gives any).</summary>
    public static readonly ImmutableArray<string> AreaNames =
        [EnergyEntryNames.HalfAdd, EnergyEntryNames.HalfMultiply, EnergyEntryNames.FloatAdd, EnergyEntryNames.FloatMultiply,
         EnergyEntryNames.IntegerAdd, EnergyEntryNames.IntegerMultiply, AreaNameSramBit];

    /// <summary>The area entry giving one SRAM bit cell.</summary>
    public const string AreaNameSramBit = "sram_bit";

    private static readonly IntRule SmallCountRule = new(0, 1_000_000);
    private static readonly IntRule BlockRamBitsRule = new(1, long.MaxValue);
    private static readonly IntRule BlockRamWidthRule = new(1, 4096);

    private static readonly Choices<EnergyScaling> Scalings = Choices.FromEnum<EnergyScaling>();

    private static readonly IntRule TechnologyRule = new(1, 1000);
    private static readonly IntRule ReferenceBitsRule = new(1, 65536);
    private static readonly IntRule CapacityRule = new(1, long.MaxValue);

    /// <summary>The steepest log-log slope between two points: energy as capacity^4 is far steeper than any memory
    /// (about capacity^0.5 in the shipped tables).</summary>
    private const double MaxLogLogSlope = 4;

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
        [EnergyEntryNames.HalfMultiply] = "float16 multiplies in a float16 PE array",
        [EnergyEntryNames.HalfAdd] = "float16 adds",
        [EnergyEntryNames.RegisterAccess] = "operand pipeline-register writes in the PE array (register-file reads and writes under row stationary)",
        [EnergyEntryNames.SramLeakage] = "SRAM static power (leakage)",
        [EnergyEntryNames.LogicLeakage] = "PE and vector-lane static power (leakage)",
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
        ImmutableSortedDictionary<string, AreaEntry>? areas = root.Has("area") ? ReadAreas(root) : ImmutableSortedDictionary<string, AreaEntry>.Empty;
        FpgaFigures? fpga = root.Mapping("fpga", FpgaSchema, required: false) is { } f ? ReadFpga(f) : null;

        if (errors.Count > errorsBefore || name is null || technology is null || entries is null || areas is null)
        {
            return null;
        }

        return new EnergyTable { Name = name, TechnologyNanometers = technology.Value, Entries = entries, Areas = areas, Fpga = fpga };
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
        bool hasMicrowatts = entry.Has("microwatts");
        double? pj = entry.Number("pj", NumberRule.NonNegative, ConfigLimits.PicoJoules, required: false);
        double? microwatts = entry.Number("microwatts", NumberRule.NonNegative, ConfigLimits.Microwatts, required: false);
        ImmutableArray<EnergyPoint>? points = hasPoints ? ReadPoints(entry) : [];
        int? referenceBits = entry.Int32("reference_bits", ReferenceBitsRule);
        EnergyScaling? scaling = entry.Choice("scaling", Scalings);
        string? source = entry.Text("source");

        const string Kinds = "pj (a single figure in picojoules), points (figures by memory capacity) or microwatts (a static power)";
        int given = (hasPj ? 1 : 0) + (hasPoints ? 1 : 0) + (hasMicrowatts ? 1 : 0);
        if (given > 1)
        {
            errors.Add(entry.Anchor, $"{path} gives more than one of pj, points and microwatts; give exactly one of {Kinds}");
        }
        else if (given == 0)
        {
            errors.Add(entry.Anchor, $"{path} needs exactly one of {Kinds}");
        }
        else if (hasMicrowatts != name.StartsWith("leakage_", StringComparison.Ordinal))
        {
            errors.Add(entry.Anchor, hasMicrowatts
                ? $"{path} is an energy per action: give pj or points, not microwatts"
                : $"{path} is a static power: give microwatts, not pj or points");
        }

        if (errors.Count > errorsBefore || referenceBits is null || scaling is null || source is null || points is null)
        {
            return null;
        }

        return new EnergyEntry
        {
            Name = name,
            PicoJoules = pj,
            Microwatts = microwatts,
            Points = points.Value,
            ReferenceBits = referenceBits.Value,
            Scaling = scaling.Value,
            Source = source,
        };
    }

    private static ImmutableSortedDictionary<string, AreaEntry>? ReadAreas(MapReader root)
    {
        string known = string.Join(", ", AreaNames);
        DocNode node = root.Entry("area")!.Value;
        if (node is not DocMapping map)
        {
            root.Errors.Add(node, $"area must be a mapping from entry name to {{ um2, reference_bits, scaling, source }}, was {Scalars.Describe(node)}");
            return null;
        }

        _ = MapReader.Open(map, "area", "a mapping", root.Errors);
        int errorsBefore = root.Errors.Count;
        var builder = ImmutableSortedDictionary.CreateBuilder<string, AreaEntry>(StringComparer.Ordinal);
        foreach (DocEntry named in map.Entries)
        {
            string name = named.Key.Value;
            if (!AreaNames.Contains(name))
            {
                root.Errors.Add(named.Key, $"unknown area entry '{name}'; known entries: {known}");
                continue;
            }

            if (MapReader.Open(named.Value, $"area.{name}", $"a mapping with keys {AreaEntrySchema.AllowedList}", root.Errors, named.Key) is not { } entry)
            {
                continue;
            }

            entry.CheckKeys(AreaEntrySchema);
            double? um2 = entry.Number("um2", NumberRule.NonNegative, ConfigLimits.SquareMicrometres);
            int? referenceBits = entry.Int32("reference_bits", ReferenceBitsRule);
            EnergyScaling? scaling = entry.Choice("scaling", Scalings);
            string? source = entry.Text("source");
            if (um2 is { } a && referenceBits is { } r && scaling is { } sc && source is not null)
            {
                builder.TryAdd(name, new AreaEntry(name, a, r, sc, source));
            }
        }

        foreach (string required in AreaNames.Where(n => map.Find(n) is null))
        {
            root.Errors.Add(root.Entry("area")!.Key, $"area has no entry '{required}'; an area table gives all of: {known}");
        }

        return root.Errors.Count > errorsBefore ? null : builder.ToImmutable();
    }

    private static FpgaFigures? ReadFpga(MapReader fpga)
    {
        string? family = fpga.Text("family");
        FpgaMultiplier? fixed16 = fpga.Mapping("fixed16_multiplier", MultiplierSchema) is { } f ? ReadMultiplier(f) : null;
        FpgaMultiplier? float16 = fpga.Mapping("float16_multiplier", MultiplierSchema) is { } h ? ReadMultiplier(h) : null;
        long? blockRamBits = fpga.Integer("block_ram_bits", BlockRamBitsRule, ConfigLimits.TableCapacity);
        int? blockRamWidth = fpga.Int32("block_ram_max_width_bits", BlockRamWidthRule);
        double? adderLuts = fpga.Number("adder_luts_per_bit", NumberRule.NonNegative, ConfigLimits.PerBit);
        double? adderFlipFlops = fpga.Number("adder_ffs_per_bit", NumberRule.NonNegative, ConfigLimits.PerBit);
        string? source = fpga.Text("source");
        return family is not null && fixed16 is not null && float16 is not null && blockRamBits is { } bits && blockRamWidth is { } width
            && adderLuts is { } luts && adderFlipFlops is { } ffs && source is not null
            ? new FpgaFigures(family, fixed16, float16, bits, width, luts, ffs, source)
            : null;
    }

    private static FpgaMultiplier? ReadMultiplier(MapReader multiplier)
    {
        int? dsp = multiplier.Int32("dsp", SmallCountRule);
        int? lut = multiplier.Int32("lut", SmallCountRule);
        int? ff = multiplier.Int32("ff", SmallCountRule);
        double? clock = multiplier.Number("max_clock_mhz", NumberRule.Positive, ConfigLimits.ClockMegahertz);
        string? source = multiplier.Text("source");
        return dsp is { } d && lut is { } l && ff is { } f && clock is { } c && source is not null ? new FpgaMultiplier(d, l, f, c, source) : null;
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
        var readers = new List<MapReader>();
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
            long? capacity = point.Integer("capacity_bytes", CapacityRule, ConfigLimits.TableCapacity);
            double? pj = point.Number("pj", NumberRule.NonNegative, ConfigLimits.PicoJoules);
            if (capacity is { } c && previous is { } p && c <= p)
            {
                point.Errors.Add(point.Entry("capacity_bytes")!.Value,
                    $"{point.Full("capacity_bytes")} must be greater than the previous point's {p} (capacities strictly increase), was {c}");
            }

            previous = capacity;
            if (capacity is { } cap && pj is { } e)
            {
                points.Add(new EnergyPoint(cap, e));
                readers.Add(point);
            }
        }

        if (entry.Errors.Count == errorsBefore && points.Count > 1)
        {
            CheckInterpolation(points, readers);
        }

        return entry.Errors.Count > errorsBefore ? null : points.ToImmutable();
    }

    /// <summary>Points are interpolated log-log, and extrapolated along the nearest segment to any buffer capacity: each
    /// figure must be positive, and each segment's slope within ±<see cref="MaxLogLogSlope"/>, so that the figure at any
    /// capacity from 1 to 2^40 bytes is finite (at most 1e9 pJ × (2^40)^4 ≈ 1.5e57).</summary>
    private static void CheckInterpolation(ImmutableArray<EnergyPoint>.Builder points, List<MapReader> readers)
    {
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].PicoJoules <= 0)
            {
                readers[i].Errors.Add(readers[i].Entry("pj")!.Value,
                    $"{readers[i].Full("pj")} must be greater than 0 when an entry has more than one point (they are interpolated log-log), was 0");
                return;
            }
        }

        for (int i = 1; i < points.Count; i++)
        {
            double slope = Math.Log(points[i].PicoJoules / points[i - 1].PicoJoules) / Math.Log((double)points[i].CapacityBytes / points[i - 1].CapacityBytes);
            if (!(Math.Abs(slope) <= MaxLogLogSlope))
            {
                readers[i].Errors.Add(readers[i].Entry("pj")!.Value, string.Create(CultureInfo.InvariantCulture,
                    $"{readers[i].Full("pj")} rises or falls too steeply from the previous point: the log-log slope is {slope:0.###}, allowed from -{MaxLogLogSlope} to {MaxLogLogSlope} (the figure is extrapolated to any buffer capacity and must stay finite)"));
            }
        }
    }
}
