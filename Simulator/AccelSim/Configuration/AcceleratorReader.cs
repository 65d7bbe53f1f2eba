using System.Globalization;
using AccelSim.Configuration.Yaml;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

/// <summary>Validates a hardware document and builds the <see cref="AcceleratorConfig"/> with its energy table, converting
/// units once, here.</summary>
internal static class AcceleratorReader
{
    /// <summary>Runaway guard used when <c>max_cycles</c> is not given: 1e11 cycles.</summary>
    public const long DefaultMaxCycles = 100_000_000_000;

    /// <summary>The scheme used when neither <c>scheme</c> nor partitions are given (docs/numerics.md: 6-11 is the default).</summary>
    public const string DefaultScheme = "6-11";

    /// <summary>Stands in for the BFP settings of a float array, which never uses them.</summary>
    private static readonly BfpSettings UnusedBfp = new(
        new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);

    private static readonly MapSchema BufferSchema = new("capacity_bytes", "word_bits", "read_ports", "write_ports", "banks");
    private static readonly MapSchema FormatSchema = new("exponent_bits", "mantissa_bits", "format");
    private static readonly MapSchema BiasFormatSchema = new("exponent_bits", "mantissa_bits");
    private static readonly MapSchema MxSchema = new("rounding", "scale", "accumulation", "packing", "accumulator_bits", "accumulator_lsb");
    private static readonly IntRule MxAccumulatorBitsRule = new(8, 126);
    private static readonly IntRule MxAccumulatorLsbRule = new(-300, 300);
    private static readonly MapSchema GroupSchema = new("group");
    private static readonly MapSchema PeArraySchema = new("rows", "cols", "dataflow", "arithmetic", "zero_operands");
    private static readonly MapSchema BuffersSchema =
        new(new KeySpec("ifmap", BufferSchema), new KeySpec("weights", BufferSchema), new KeySpec("ofmap", BufferSchema), new KeySpec("unified", BufferSchema));

    private static readonly string[] PerTensorBuffers = ["ifmap", "weights", "ofmap"];

    private static readonly MapSchema DramBanksSchema = new("count", "row_bytes", "activate_cycles", "precharge_cycles", "cas_cycles");
    private static readonly MapSchema DramSchema = new("bandwidth_gb_per_s", "bandwidth_bytes_per_cycle", "latency_cycles", "burst_bytes", new KeySpec("banks", DramBanksSchema));
    private static readonly IntRule BankCountRule = new(1, 1024);
    private static readonly IntRule RowBytesRule = new(8, 1L << 30);
    private static readonly IntRule BurstBytesRule = new(1, 1L << 20);
    private static readonly IntRule BankTimingRule = new(0, 100_000);
    private static readonly MapSchema VectorUnitSchema = new("lanes", "fuse");

    private static readonly Choices<FusedKinds> FuseChoices = new(
        ("relu", FusedKinds.Relu), ("max_pool", FusedKinds.MaxPool), ("avg_pool", FusedKinds.AveragePool), ("add", FusedKinds.Add),
        ("all", FusedKinds.All), ("none", FusedKinds.None));
    private static readonly MapSchema MapperSchema = new("search", "objective", "budget");
    private static readonly Choices<MapperSearch> MapperSearches = Choices.FromEnum<MapperSearch>();
    private static readonly Choices<MapperObjective> MapperObjectives = Choices.FromEnum<MapperObjective>();
    private static readonly IntRule BudgetRule = new(1, 1_000_000);
    private static readonly MapSchema ConverterSchema = new("input_lanes", "output_lanes", "latency_cycles");
    private static readonly IntRule ConverterLatencyRule = new(0, 1_000_000);
    private static readonly MapSchema BfpSchema = new(
        "exponent_bits",
        "mantissa_bits",
        new KeySpec("weights", FormatSchema),
        new KeySpec("inputs", FormatSchema),
        new KeySpec("bias", BiasFormatSchema),
        "scheme",
        new KeySpec("weight_partition", GroupSchema),
        new KeySpec("input_partition", GroupSchema),
        "rounding",
        "accumulator_bits",
        "seed",
        "format",
        new KeySpec("mx", MxSchema));

    /// <summary>Every key of a hardware file; overrides resolve against it.</summary>
    public static readonly MapSchema Schema = new(
        "version",
        "name",
        "clock_mhz",
        "max_cycles",
        new KeySpec("pe_array", PeArraySchema),
        new KeySpec("buffers", BuffersSchema),
        new KeySpec("dram", DramSchema),
        new KeySpec("vector_unit", VectorUnitSchema),
        new KeySpec("bfp", BfpSchema),
        "weight_storage",
        "on_chip_activations",
        "activation_storage",
        "activation_compression",
        new KeySpec("converters", ConverterSchema),
        new KeySpec("mapper", MapperSchema),
        "energy_table");

    private static readonly Choices<Dataflow> Dataflows = Choices.FromEnum<Dataflow>();
    private static readonly Choices<Arithmetic> Arithmetics = Choices.FromEnum<Arithmetic>();
    private static readonly Choices<ZeroOperandPolicy> ZeroOperandPolicies = Choices.FromEnum<ZeroOperandPolicy>();
    private static readonly Choices<WeightStorage> WeightStorages = Choices.FromEnum<WeightStorage>();
    private static readonly Choices<ActivationStorage> ActivationStorages = Choices.FromEnum<ActivationStorage>();
    private static readonly Choices<ActivationCompression> ActivationCompressions = Choices.FromEnum<ActivationCompression>();
    private static readonly Choices<RoundingMode> Roundings = Choices.FromEnum<RoundingMode>();
    private static readonly Choices<MxRounding> MxRoundings = Choices.FromEnum<MxRounding>();
    private static readonly Choices<MxScaleRule> MxScaleRules = Choices.FromEnum<MxScaleRule>();
    private static readonly Choices<MxAccumulation> MxAccumulations = Choices.FromEnum<MxAccumulation>();
    private static readonly Choices<MxPacking> MxPackings = Choices.FromEnum<MxPacking>();

    private static readonly Choices<(BlockPartition Weights, BlockPartition Inputs)> Schemes = new(
        ("6-9", (BlockPartition.Tensor, BlockPartition.Tensor)),
        ("6-10", (BlockPartition.Tensor, BlockPartition.Column)),
        ("6-11", (BlockPartition.Row, BlockPartition.Tensor)),
        ("6-12", (BlockPartition.Row, BlockPartition.Column)));

    private static readonly Choices<BlockPartition> Partitions = new(
        ("tensor", BlockPartition.Tensor), ("row", BlockPartition.Row), ("column", BlockPartition.Column));

    private static readonly IntRule ArrayDimensionRule = new(1, 4096);
    private static readonly IntRule CapacityRule = new(64, long.MaxValue);
    private static readonly IntRule WordBitsRule = new(8, 4096, MultipleOf: 8);
    private static readonly IntRule PortsRule = new(1, 16);
    private static readonly IntRule SramBanksRule = new(1, 1024);
    private static readonly IntRule LatencyRule = new(0, long.MaxValue);
    private static readonly IntRule LanesRule = new(1, 4096);
    private static readonly IntRule MaxCyclesRule = new(1, long.MaxValue);
    private static readonly IntRule ExponentBitsRule = new(2, 8);
    private static readonly IntRule MantissaBitsRule = new(2, 24);
    private static readonly IntRule GroupRule = new(1, 65536);
    private static readonly IntRule AccumulatorBitsRule = new(8, 64);

    /// <summary><c>vector_unit.fuse</c>: a list of layer kinds, or one scalar naming a kind, several separated by commas
    /// (so <c>--set vector_unit.fuse=relu,max_pool</c> works), <c>all</c> or <c>none</c>; absent: none.</summary>
    private static FusedKinds? ReadFuse(MapReader unit)
    {
        const string Description = "a list of layer kinds to fuse into their producer's output path (relu, max_pool, avg_pool, add), or all, or none";
        if (!unit.Has("fuse"))
        {
            return FusedKinds.None;
        }

        DocNode node = unit.Entry("fuse")!.Value;
        var names = new List<(string Name, DocNode At)>();
        if (node is DocSequence list)
        {
            names.AddRange(list.Items.Select(item => (item is DocScalar scalar ? scalar.Value : "", item)));
        }
        else if (node is DocScalar scalar)
        {
            names.AddRange(scalar.Value.Split(',').Select(name => (name.Trim(), node)));
        }
        else
        {
            unit.Errors.Add(node, $"{unit.Full("fuse")} must be {Description}, was {Scalars.Describe(node)}");
            return null;
        }

        FusedKinds fuse = FusedKinds.None;
        bool ok = true;
        foreach ((string name, DocNode at) in names)
        {
            if (FuseChoices.TryGet(name, out FusedKinds kind))
            {
                fuse |= kind;
            }
            else
            {
                unit.Errors.Add(at, $"{unit.Full("fuse")}: '{name}' is not a layer kind that can be fused; allowed: {FuseChoices.List}");
                ok = false;
            }
        }

        return ok ? fuse : null;
    }

    /// <summary>Reads the document; returns null when any error was reported.</summary>
    /// <param name="document">The parsed file, overrides already applied.</param>
    /// <param name="errors">Where this file's problems go.</param>
    /// <param name="loadEnergyTable">Loads the table named by <c>energy_table</c> (reporting its own problems); null when it failed.</param>
    public static LoadedAccelerator? Read(DocNode document, ConfigErrors errors, Func<string, DocNode, EnergyTable?> loadEnergyTable)
    {
        if (MapReader.Root(document, Schema, errors) is not { } root)
        {
            return null;
        }

        int errorsBefore = errors.Count;
        root.CheckVersion();
        string? name = root.Text("name");
        double? clockMegahertz = root.Number("clock_mhz", NumberRule.Positive, ConfigLimits.ClockMegahertz);
        long? maxCycles = root.Has("max_cycles") ? root.Integer("max_cycles", MaxCyclesRule, ConfigLimits.MaxCycles) : DefaultMaxCycles;
        PeArrayConfig? peArray = root.Mapping("pe_array", PeArraySchema) is { } pe ? ReadPeArray(pe) : null;
        BufferSetConfig? buffers = root.Mapping("buffers", BuffersSchema) is { } b ? ReadBuffers(b) : null;
        DramConfig? dram = root.Mapping("dram", DramSchema) is { } d ? ReadDram(d, clockMegahertz) : null;
        VectorUnitConfig? vectorUnit = root.Mapping("vector_unit", VectorUnitSchema) is { } v && v.Int32("lanes", LanesRule) is { } lanes
            && ReadFuse(v) is { } fuse
            ? new VectorUnitConfig(lanes) { Fuse = fuse }
            : null;
        // A float array has no BFP datapath: its bfp section may be left out (and is ignored when given, so one file can
        // be swept over arithmetic with --set).
        bool needsBfp = peArray is null || peArray.Arithmetic == Arithmetic.Bfp;
        BfpSettings? bfp = root.Mapping("bfp", BfpSchema, required: needsBfp) is { } f ? ReadBfp(f) : needsBfp ? null : UnusedBfp;
        ConverterConfig? converters = root.Mapping("converters", ConverterSchema, required: false) is { } c
            && c.Int32("input_lanes", LanesRule) is { } inputLanes && c.Int32("output_lanes", LanesRule) is { } outputLanes
            && c.Int32("latency_cycles", ConverterLatencyRule) is { } latency
            ? new ConverterConfig(inputLanes, outputLanes, latency)
            : null;
        bool? onChip = root.Has("on_chip_activations") ? root.Boolean("on_chip_activations") : false;
        if (onChip == true && buffers?.Unified is not null)
        {
            // The output stays in the ofmap part and becomes the next layer's input part, but each layer splits the
            // unified buffer its own way: not modelled.
            errors.Add(root.Entry("on_chip_activations")!.Value,
                "on_chip_activations: true is modelled with separate ifmap/weights/ofmap buffers only, not with buffers.unified (each layer splits the unified buffer its own way)");
            return null;
        }

        MapperConfig? mapper = root.Mapping("mapper", MapperSchema, required: false) is { } m ? ReadMapper(m) : MapperConfig.Default;
        WeightStorage? storage = root.Has("weight_storage") ? root.Choice("weight_storage", WeightStorages) : WeightStorage.Dense;
        ActivationStorage? activations = root.Has("activation_storage") ? root.Choice("activation_storage", ActivationStorages)
            : peArray is null ? null : AcceleratorConfig.DefaultActivationStorage(peArray.Arithmetic);
        if (activations == ActivationStorage.Bfp && peArray is { Arithmetic: not Arithmetic.Bfp })
        {
            // BFP storage is the layer's BFP input format: a float array has none.
            errors.Add(root.Entry("activation_storage")!.Value,
                "activation_storage: bfp stores the layer's BFP input format and needs pe_array.arithmetic: bfp; a float array stores float32, float16, bfloat16 or int8");
            activations = null;
        }

        ActivationCompression? compression = root.Has("activation_compression") ? root.Choice("activation_compression", ActivationCompressions) : ActivationCompression.None;
        EnergyTable? energy = root.Text("energy_table") is { } tablePath ? loadEnergyTable(tablePath, root.Entry("energy_table")!.Value) : null;

        if (errors.Count > errorsBefore || name is null || clockMegahertz is null || maxCycles is null || peArray is null
            || buffers is null || dram is null || vectorUnit is null || bfp is null || energy is null || storage is null || activations is null || compression is null || onChip is null || mapper is null)
        {
            return null;
        }

        var hardware = new AcceleratorConfig
        {
            Name = name,
            ClockMegahertz = clockMegahertz.Value,
            MaxCycles = maxCycles.Value,
            PeArray = peArray,
            Buffers = buffers,
            Dram = dram,
            VectorUnit = vectorUnit,
            Bfp = bfp,
            WeightStorage = storage.Value,
            ActivationStorage = activations.Value,
            ActivationCompression = compression.Value,
            Converters = converters,
            OnChipActivations = onChip.Value,
            Mapper = mapper,
        };
        return new LoadedAccelerator(hardware, energy);
    }

    /// <summary>The <c>mapper</c> section: every key optional (<see cref="MapperConfig.Default"/>: search pruned, objective
    /// cycles, no budget).</summary>
    private static MapperConfig? ReadMapper(MapReader m)
    {
        MapperSearch? search = m.Has("search") ? m.Choice("search", MapperSearches) : MapperConfig.Default.Search;
        MapperObjective? objective = m.Has("objective") ? m.Choice("objective", MapperObjectives) : MapperConfig.Default.Objective;
        int? budget = m.Has("budget") ? m.Int32("budget", BudgetRule) : MapperConfig.Default.Budget;
        bool budgetValid = !m.Has("budget") || budget is not null;
        return search is { } s && objective is { } o && budgetValid ? new MapperConfig(s, o, budget) : null;
    }

    private static PeArrayConfig? ReadPeArray(MapReader pe)
    {
        int? rows = pe.Int32("rows", ArrayDimensionRule);
        int? cols = pe.Int32("cols", ArrayDimensionRule);
        Dataflow? dataflow = pe.Choice("dataflow", Dataflows);
        Arithmetic? arithmetic = pe.Has("arithmetic") ? pe.Choice("arithmetic", Arithmetics) : Arithmetic.Bfp;
        ZeroOperandPolicy? zeros = pe.Has("zero_operands") ? pe.Choice("zero_operands", ZeroOperandPolicies) : ZeroOperandPolicy.None;
        return rows is { } r && cols is { } c && dataflow is { } flow && arithmetic is { } a && zeros is { } z
            ? new PeArrayConfig(r, c, flow) { Arithmetic = a, ZeroOperands = z }
            : null;
    }

    private static BufferSetConfig? ReadBuffers(MapReader buffers)
    {
        string[] perTensorGiven = PerTensorBuffers.Where(buffers.Has).ToArray();
        if (buffers.Has("unified"))
        {
            if (perTensorGiven.Length > 0)
            {
                buffers.Errors.Add(buffers.Entry(perTensorGiven[0])!.Key,
                    $"buffers has both unified and {string.Join(", ", perTensorGiven)}; give either unified alone or all three of ifmap, weights and ofmap");
                return null;
            }

            return buffers.Mapping("unified", BufferSchema) is { } u && ReadSram("unified", u) is { } unified
                ? BufferPartition.Nominal(unified)
                : null;
        }

        if (perTensorGiven.Length == 0)
        {
            buffers.Errors.Add(buffers.Anchor, "buffers needs either ifmap, weights and ofmap (one buffer per tensor) or unified (one buffer they share)");
            return null;
        }

        SramConfig? ifmap = buffers.Mapping("ifmap", BufferSchema) is { } i ? ReadSram("ifmap", i) : null;
        SramConfig? weights = buffers.Mapping("weights", BufferSchema) is { } w ? ReadSram("weights", w) : null;
        SramConfig? ofmap = buffers.Mapping("ofmap", BufferSchema) is { } o ? ReadSram("ofmap", o) : null;
        return ifmap is not null && weights is not null && ofmap is not null ? new BufferSetConfig(ifmap, weights, ofmap) : null;
    }

    private static SramConfig? ReadSram(string name, MapReader sram)
    {
        long? capacity = sram.Integer("capacity_bytes", CapacityRule, ConfigLimits.CapacityBytes);
        int? wordBits = sram.Int32("word_bits", WordBitsRule);
        int? readPorts = sram.Int32("read_ports", PortsRule);
        int? writePorts = sram.Int32("write_ports", PortsRule);
        int? banks = sram.Has("banks") ? sram.Int32("banks", SramBanksRule) : 1;
        if (capacity is { } bytes && wordBits is { } bits && banks is > 1 && bytes % (bits / 8L) != 0)
        {
            // Words interleave over the banks by address: the buffer must be whole words.
            sram.Errors.Add(sram.Entry("capacity_bytes")!.Value,
                $"{sram.Full("capacity_bytes")} must be a multiple of word_bits / 8 = {bits / 8} bytes when the buffer has banks (words interleave over them), was {bytes}");
            return null;
        }

        return capacity is { } c && wordBits is { } w && readPorts is { } r && writePorts is { } wp && banks is { } b
            ? new SramConfig(name, c, w, r, wp) { Banks = b }
            : null;
    }

    private static DramConfig? ReadDram(MapReader dram, double? clockMegahertz)
    {
        const string GigabytesKey = "bandwidth_gb_per_s";
        const string BytesKey = "bandwidth_bytes_per_cycle";
        bool hasGigabytes = dram.Has(GigabytesKey);
        bool hasBytes = dram.Has(BytesKey);
        double? gigabytesPerSecond = dram.Number(GigabytesKey, NumberRule.Positive, ConfigLimits.GigabytesPerSecond, required: false);
        double? bytesPerCycle = dram.Number(BytesKey, NumberRule.Positive, ConfigLimits.BytesPerCycle, required: false);
        long? latency = dram.Integer("latency_cycles", LatencyRule, ConfigLimits.LatencyCycles);
        bool hasBurst = dram.Has("burst_bytes");
        long? burstBytes = dram.Integer("burst_bytes", BurstBytesRule, required: false);

        if (hasGigabytes && hasBytes)
        {
            DocNode second = new[] { dram.Entry(GigabytesKey)!, dram.Entry(BytesKey)! }.MaxBy(e => (e.Key.Line, e.Key.Column))!.Key;
            dram.Errors.Add(second, $"dram has both {GigabytesKey} and {BytesKey}; give exactly one");
            return null;
        }

        if (!hasGigabytes && !hasBytes)
        {
            dram.Errors.Add(dram.Anchor,
                $"dram needs exactly one of {GigabytesKey} (a number greater than 0; 1 GB = 1e9 bytes) or {BytesKey} (a number greater than 0)");
            return null;
        }

        // bytes per cycle = (GB/s × 1e9 bytes/GB) / (MHz × 1e6 cycles/s) = GB/s × 1000 / MHz.
        double? perCycle = hasBytes ? bytesPerCycle : gigabytesPerSecond * 1000.0 / clockMegahertz;
        if (!hasBytes && perCycle is { } converted && !ConfigLimits.BytesPerCycle.Accepts(converted))
        {
            dram.Errors.Add(dram.Entry(GigabytesKey)!.Value, string.Create(CultureInfo.InvariantCulture,
                $"{dram.Full(GigabytesKey)} {gigabytesPerSecond} at clock_mhz {clockMegahertz} is {converted} bytes per cycle; it must be {ConfigLimits.BytesPerCycle.Describe()}"));
            return null;
        }

        DramBankConfig? banks = null;
        if (dram.Mapping("banks", DramBanksSchema, required: false) is { } b)
        {
            int? count = b.Int32("count", BankCountRule);
            long? rowBytes = b.Integer("row_bytes", RowBytesRule);
            long? activate = b.Integer("activate_cycles", BankTimingRule);
            long? precharge = b.Integer("precharge_cycles", BankTimingRule);
            long? cas = b.Integer("cas_cycles", BankTimingRule, required: false);
            if (!hasBurst)
            {
                b.Errors.Add(b.Anchor, "dram.banks counts row hits and misses per burst: give dram.burst_bytes (an integer of at least 1, dividing dram.banks.row_bytes)");
                return null;
            }

            if (rowBytes is { } r && burstBytes is { } u && (u > r || r % u != 0))
            {
                dram.Errors.Add(dram.Entry("burst_bytes")!.Value, $"dram.burst_bytes must divide dram.banks.row_bytes ({r}) when banks are given, was {u}");
                return null;
            }

            if (count is null || rowBytes is null || burstBytes is null || activate is null || precharge is null)
            {
                return null;
            }

            banks = new DramBankConfig(count.Value, rowBytes.Value, burstBytes.Value, activate.Value, precharge.Value) { CasCycles = cas ?? 0 };
        }

        if (hasBurst && burstBytes is null)
        {
            return null;
        }

        return perCycle is { } bandwidth && latency is { } l ? new DramConfig(bandwidth, l) { Banks = banks, BurstBytes = burstBytes ?? 1 } : null;
    }

    private static BfpSettings? ReadBfp(MapReader bfp)
    {
        int errorsBefore = bfp.Errors.Count;
        int? exponentBits = bfp.Int32("exponent_bits", ExponentBitsRule, required: false);
        int? mantissaBits = bfp.Int32("mantissa_bits", MantissaBitsRule, required: false);
        MapReader? weights = bfp.Mapping("weights", FormatSchema, required: false);
        MapReader? inputs = bfp.Mapping("inputs", FormatSchema, required: false);
        MapReader? bias = bfp.Mapping("bias", BiasFormatSchema, required: false);
        int? biasExponent = bias?.Int32("exponent_bits", ExponentBitsRule);
        int? biasMantissa = bias?.Int32("mantissa_bits", MantissaBitsRule);
        int? weightExponent = weights?.Int32("exponent_bits", ExponentBitsRule, required: false) ?? exponentBits;
        int? weightMantissa = weights?.Int32("mantissa_bits", MantissaBitsRule, required: false) ?? mantissaBits;
        int? inputExponent = inputs?.Int32("exponent_bits", ExponentBitsRule, required: false) ?? exponentBits;
        int? inputMantissa = inputs?.Int32("mantissa_bits", MantissaBitsRule, required: false) ?? mantissaBits;
        int errorsBeforeFormats = bfp.Errors.Count;
        NumberFormatChoice? shared = bfp.Has("format") ? bfp.Choice("format", NumberFormatChoice.All) : null;
        NumberFormatChoice? weightFormat = weights?.Has("format") == true ? weights.Choice("format", NumberFormatChoice.All) : shared;
        NumberFormatChoice? inputFormat = inputs?.Has("format") == true ? inputs.Choice("format", NumberFormatChoice.All) : shared;
        MxFormat? weightMx = weightFormat?.Mx;
        MxFormat? inputMx = inputFormat?.Mx;
        // An unknown format name is reported alone, not also as missing widths or a mix.
        bool formatsKnown = bfp.Errors.Count == errorsBeforeFormats;
        bool weightsExempt = weightMx is not null || !formatsKnown;
        bool inputsExempt = inputMx is not null || !formatsKnown;
        RequireShared(bfp, weights, inputs, "exponent_bits", ExponentBitsRule, weightsExempt, inputsExempt);
        RequireShared(bfp, weights, inputs, "mantissa_bits", MantissaBitsRule, weightsExempt, inputsExempt);
        if ((weightMx is null) != (inputMx is null) && formatsKnown)
        {
            DocNode at = (weights?.Has("format") == true ? weights.Entry("format") : inputs?.Has("format") == true ? inputs.Entry("format") : bfp.Entry("format"))!.Value;
            bfp.Errors.Add(at, $"bfp: weights are {weightFormat?.Name ?? "bfp"} and inputs {inputFormat?.Name ?? "bfp"}; both must be MX/NVFP4 formats " +
                $"({string.Join(", ", MxFormat.All.Select(f => f.Name))}) or both bfp, because the two datapaths do not mix");
        }

        (BlockPartition Weights, BlockPartition Inputs)? partitions = ReadPartitions(bfp);
        RoundingMode? rounding = bfp.Has("rounding") ? bfp.Choice("rounding", Roundings) : RoundingMode.NearestEven;
        int? accumulatorBits = bfp.Int32("accumulator_bits", AccumulatorBitsRule, required: false);
        if (accumulatorBits is not null && weightMx is not null && inputMx is not null)
        {
            bfp.Errors.Add(bfp.Entry("accumulator_bits")!.Key,
                "bfp.accumulator_bits sizes the BFP accumulator; with MX/NVFP4 formats choose bfp.mx.accumulation (exact or fp32) instead");
        }

        ulong? seed = bfp.Has("seed") ? bfp.Unsigned("seed") : 1UL;
        MxOptions? mx = ReadMxOptions(bfp);

        if (bfp.Errors.Count > errorsBefore || (weightMx is null && (weightExponent is null || weightMantissa is null))
            || (inputMx is null && (inputExponent is null || inputMantissa is null)) || partitions is null || rounding is null || seed is null || mx is null)
        {
            return null;
        }

        // An MX tensor may leave the BFP widths out; its storage equivalent stands in for them until a layer turns it to bfp.
        BfpFormat Declared(int? e, int? l, MxFormat? format) => e is { } exponent && l is { } mantissa ? new BfpFormat(exponent, mantissa) : format!.StorageEquivalent;
        var settings = new BfpSettings(
            Weights: Declared(weightExponent, weightMantissa, weightMx),
            Inputs: Declared(inputExponent, inputMantissa, inputMx),
            WeightPartition: partitions.Value.Weights,
            InputPartition: partitions.Value.Inputs,
            Rounding: rounding.Value,
            AccumulatorBits: accumulatorBits,
            StochasticSeed: seed.Value)
        {
            Bias = biasExponent is { } e && biasMantissa is { } l ? new BfpFormat(e, l) : null,
            Mx = mx,
        };
        return weightMx is null && inputMx is null ? settings : settings.WithFormats(weightMx, inputMx);
    }

    /// <summary>The <c>bfp.mx</c> options (all optional; the defaults follow the OCP specification).</summary>
    private static MxOptions? ReadMxOptions(MapReader bfp)
    {
        if (!bfp.Has("mx"))
        {
            return MxOptions.Default;
        }

        if (bfp.Mapping("mx", MxSchema) is not { } mx)
        {
            return null;
        }

        MxRounding? rounding = mx.Has("rounding") ? mx.Choice("rounding", MxRoundings) : MxRounding.NearestEven;
        MxScaleRule? scale = mx.Has("scale") ? mx.Choice("scale", MxScaleRules) : MxScaleRule.Spec;
        MxAccumulation? accumulation = mx.Has("accumulation") ? mx.Choice("accumulation", MxAccumulations) : MxAccumulation.Exact;
        MxPacking? packing = mx.Has("packing") ? mx.Choice("packing", MxPackings) : MxPacking.Contiguous;
        int errorsBefore = mx.Errors.Count;
        int? bits = null;
        int? lsb = null;
        if (accumulation == MxAccumulation.Fixed)
        {
            bits = mx.Int32("accumulator_bits", MxAccumulatorBitsRule);
            lsb = mx.Int32("accumulator_lsb", MxAccumulatorLsbRule);
        }
        else
        {
            foreach (string key in new[] { "accumulator_bits", "accumulator_lsb" }.Where(mx.Has))
            {
                mx.Errors.Add(mx.Entry(key)!.Key, $"bfp.mx.{key} sizes a fixed-point accumulator: it needs bfp.mx.accumulation: fixed");
            }
        }

        if (mx.Errors.Count > errorsBefore)
        {
            return null;
        }

        return rounding is { } r && scale is { } s && accumulation is { } a && packing is { } p
            ? new MxOptions(r, s, a) { Packing = p, AccumulatorBits = bits ?? 32, AccumulatorLsb = lsb ?? -16 }
            : null;
    }

    /// <summary>A shared width may be left out only when each tensor gives it or is in an MX/NVFP4 format.</summary>
    private static void RequireShared(MapReader bfp, MapReader? weights, MapReader? inputs, string key, IntRule rule, bool weightsMx, bool inputsMx)
    {
        if (!bfp.Has(key) && !((weightsMx || weights?.Has(key) == true) && (inputsMx || inputs?.Has(key) == true)))
        {
            bfp.Missing(key, $"{rule.Describe()} (it may be left out only when bfp.weights and bfp.inputs both give {key})");
        }
    }

    private static (BlockPartition Weights, BlockPartition Inputs)? ReadPartitions(MapReader bfp)
    {
        const string WeightKey = "weight_partition";
        const string InputKey = "input_partition";
        bool hasScheme = bfp.Has("scheme");
        bool hasWeight = bfp.Has(WeightKey);
        bool hasInput = bfp.Has(InputKey);
        var scheme = hasScheme ? bfp.Choice("scheme", Schemes) : null;
        BlockPartition? weight = hasWeight ? ReadPartition(bfp, WeightKey) : null;
        BlockPartition? input = hasInput ? ReadPartition(bfp, InputKey) : null;

        if (hasScheme && (hasWeight || hasInput))
        {
            bfp.Errors.Add(bfp.Entry("scheme")!.Key,
                $"bfp.scheme and bfp.{WeightKey}/bfp.{InputKey} are alternatives: give either scheme ({Schemes.List}) or both partitions, not both");
            return null;
        }

        if (hasWeight != hasInput)
        {
            string missing = hasWeight ? InputKey : WeightKey;
            string given = hasWeight ? WeightKey : InputKey;
            bfp.Missing(missing, $"tensor, row, column or {{group: N}}, because bfp.{given} is given (or give bfp.scheme instead of both)");
            return null;
        }

        if (hasWeight)
        {
            return weight is { } w && input is { } i ? (w, i) : null;
        }

        if (hasScheme)
        {
            return scheme;
        }

        Schemes.TryGet(DefaultScheme, out var defaultScheme);
        return defaultScheme;
    }

    private static BlockPartition? ReadPartition(MapReader bfp, string key)
    {
        DocNode node = bfp.Entry(key)!.Value;
        if (node is DocMapping map)
        {
            MapReader group = bfp.Nested(key, map, GroupSchema);
            return group.Int32("group", GroupRule) is { } size ? BlockPartition.Group(size) : null;
        }

        if (node is DocScalar scalar && Partitions.TryGet(scalar.Value, out BlockPartition partition))
        {
            return partition;
        }

        bfp.Errors.Add(node, $"{bfp.Full(key)} must be one of {Partitions.List}, or a mapping {{group: N}} with N {GroupRule.Describe()}, was {Scalars.Describe(node)}");
        return null;
    }
}
