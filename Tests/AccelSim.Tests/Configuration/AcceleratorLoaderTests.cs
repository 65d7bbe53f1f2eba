using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Workloads;
using AccelSim.Numerics;
using static AccelSim.Tests.Configuration.SampleYaml;

namespace AccelSim.Tests.Configuration;

public sealed class AcceleratorLoaderTests
{
    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void DeleteFolder() => _files.Dispose();

    [Test]
    public void ValidFile_BecomesTheRecord_WithDocumentedDefaults()
    {
        (AcceleratorConfig config, EnergyTable energy) = ConfigLoader.LoadAcceleratorWithEnergy(_files.Write("hw.yaml", HardwareYaml));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Name, Is.EqualTo("test"));
            Assert.That(config.ClockMegahertz, Is.EqualTo(1000.0));
            Assert.That(config.MaxCycles, Is.EqualTo(100_000_000_000L), "max_cycles defaults to 1e11");
            Assert.That(config.PeArray, Is.EqualTo(new PeArrayConfig(32, 16, Dataflow.WeightStationary)));
            Assert.That(config.Buffers.Ifmap, Is.EqualTo(new SramConfig("ifmap", 65536, 512, 2, 1)));
            Assert.That(config.Buffers.Weights, Is.EqualTo(new SramConfig("weights", 32768, 256, 1, 1)));
            Assert.That(config.Buffers.Ofmap, Is.EqualTo(new SramConfig("ofmap", 16384, 128, 1, 2)));

            // 12.8 GB/s at 1000 MHz: 12.8e9 bytes/s / 1e9 cycles/s = 12.8 bytes per cycle.
            Assert.That(config.Dram.BandwidthBytesPerCycle, Is.EqualTo(12.8).Within(1e-12));
            Assert.That(config.Dram.LatencyCycles, Is.EqualTo(50));
            Assert.That(config.VectorUnit, Is.EqualTo(new VectorUnitConfig(16)));
            Assert.That(config.Bfp.Weights, Is.EqualTo(new BfpFormat(6, 10)));
            Assert.That(config.Bfp.Inputs, Is.EqualTo(new BfpFormat(6, 10)));
            Assert.That(config.Bfp.WeightPartition, Is.EqualTo(BlockPartition.Row), "scheme defaults to 6-11");
            Assert.That(config.Bfp.InputPartition, Is.EqualTo(BlockPartition.Tensor), "scheme defaults to 6-11");
            Assert.That(config.Bfp.Rounding, Is.EqualTo(RoundingMode.NearestEven));
            Assert.That(config.Bfp.AccumulatorBits, Is.Null, "absent accumulator_bits means an exact accumulator");
            Assert.That(config.Bfp.StochasticSeed, Is.EqualTo(1UL));
            Assert.That(energy.Name, Is.EqualTo("horowitz_45nm"));
        }
    }

    [Test]
    public void DefaultYaml_BecomesTheExpectedRecord()
    {
        (AcceleratorConfig config, EnergyTable energy) = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(Support.RepoPaths.Configs, "default.yaml"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Name, Is.EqualTo("default"));
            Assert.That(config.ClockMegahertz, Is.EqualTo(1000.0));
            Assert.That(config.MaxCycles, Is.EqualTo(100_000_000_000L));
            Assert.That(config.PeArray, Is.EqualTo(new PeArrayConfig(32, 32, Dataflow.OutputStationary)));
            Assert.That(config.PeArray.PeCount, Is.EqualTo(1024));
            Assert.That(config.Buffers.Ifmap, Is.EqualTo(new SramConfig("ifmap", 524288, 1024, 1, 1)));
            Assert.That(config.Buffers.Weights, Is.EqualTo(new SramConfig("weights", 524288, 256, 1, 1)));
            Assert.That(config.Buffers.Ofmap, Is.EqualTo(new SramConfig("ofmap", 262144, 1024, 1, 1)));

            // 25.6 GB/s at 1000 MHz: 25.6e9 bytes/s / 1e9 cycles/s = 25.6 bytes per cycle.
            Assert.That(config.Dram.BandwidthBytesPerCycle, Is.EqualTo(25.6).Within(1e-12));
            Assert.That(config.Dram.LatencyCycles, Is.EqualTo(100));
            Assert.That(config.VectorUnit.Lanes, Is.EqualTo(32));
            Assert.That(config.Bfp, Is.EqualTo(new BfpSettings(
                new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1UL)));
            Assert.That(energy.Name, Is.EqualTo("horowitz_45nm"));
            Assert.That(energy.Entries, Has.Count.EqualTo(13));
        }
    }

    [TestCase("", "bfp", ActivationStorage.Float16)]
    [TestCase("", "float16", ActivationStorage.Float16)]
    [TestCase("", "float32", ActivationStorage.Float32)]
    [TestCase("activation_storage: int8", "bfp", ActivationStorage.Int8)]
    [TestCase("activation_storage: bfloat16", "float32", ActivationStorage.Bfloat16)]
    public void ActivationStorage_DefaultsPerArithmetic_UnlessGiven(string line, string arithmetic, ActivationStorage expected)
    {
        // bfp: the seed stores outputs back in half precision; float16 stores its operands; float32 keeps float32.
        string yaml = HardwareYaml.WithLineAfter(7, "  arithmetic: " + arithmetic) + "\n" + line;
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("storage.yaml", yaml));

        Assert.That(config.ActivationStorage, Is.EqualTo(expected));
    }

    [TestCase("", ActivationCompression.None)]
    [TestCase("activation_compression: run_length", ActivationCompression.RunLength)]
    [TestCase("activation_compression: bitmap", ActivationCompression.Bitmap)]
    public void ActivationCompression_DefaultsToNone_UnlessGiven(string line, ActivationCompression expected)
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("compression.yaml", HardwareYaml + "\n" + line));

        Assert.That(config.ActivationCompression, Is.EqualTo(expected));
    }

    [Test]
    public void UnifiedBuffer_IsReadWithItsBanks_AndTheNominalSplit()
    {
        string yaml = HardwareYaml.WithLine(8, "buffers: { unified: { capacity_bytes: 131072, word_bits: 512, read_ports: 2, write_ports: 1, banks: 4 } }")
            .WithLine(9, "#").WithLine(10, "#").WithLine(11, "#").WithLine(12, "#").WithLine(13, "#").WithLine(14, "#").WithLine(15, "#");
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("unified.yaml", yaml));

        // The nominal split is 4/4/2 tenths: 131072 × 0.4 = 52428.8, rounded down to whole 64-byte words in 4 banks of
        // both halves (a 512-byte granule) = 52224 for the ifmap and the weights; the ofmap keeps the rest, 26624.
        var unified = new SramConfig("unified", 131072, 512, 2, 1) { Banks = 4 };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Buffers.Unified, Is.EqualTo(unified));
            Assert.That(config.Buffers.Partitioned, Is.False);
            Assert.That(config.Buffers.Ifmap, Is.EqualTo(unified with { Name = "ifmap", CapacityBytes = 52224 }));
            Assert.That(config.Buffers.Weights, Is.EqualTo(unified with { Name = "weights", CapacityBytes = 52224 }));
            Assert.That(config.Buffers.Ofmap, Is.EqualTo(unified with { Name = "ofmap", CapacityBytes = 26624 }));
        }
    }

    [Test]
    public void Banks_DefaultToOne_AndAreRead()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", HardwareYaml.WithLineAfter(13, "    banks: 8")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Buffers.Ifmap.Banks, Is.EqualTo(8));
            Assert.That(config.Buffers.Weights.Banks, Is.EqualTo(1));
            Assert.That(config.Buffers.Unified, Is.Null);
        }
    }

    [Test]
    public void TinyYaml_BecomesTheExpectedRecord()
    {
        (AcceleratorConfig config, EnergyTable energy) = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(Support.RepoPaths.Configs, "tiny.yaml"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Name, Is.EqualTo("tiny"));
            Assert.That(config.ClockMegahertz, Is.EqualTo(200.0));
            Assert.That(config.MaxCycles, Is.EqualTo(100_000_000_000L));
            Assert.That(config.PeArray, Is.EqualTo(new PeArrayConfig(4, 4, Dataflow.OutputStationary)));
            Assert.That(config.Buffers.Ifmap, Is.EqualTo(new SramConfig("ifmap", 4096, 128, 1, 1)));
            Assert.That(config.Buffers.Weights, Is.EqualTo(new SramConfig("weights", 4096, 128, 1, 1)));
            Assert.That(config.Buffers.Ofmap, Is.EqualTo(new SramConfig("ofmap", 4096, 128, 1, 1)));
            Assert.That(config.Dram, Is.EqualTo(new DramConfig(4.0, 10)));
            Assert.That(config.VectorUnit.Lanes, Is.EqualTo(4));
            Assert.That(config.Bfp, Is.EqualTo(new BfpSettings(
                new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1UL)));
            Assert.That(energy.Name, Is.EqualTo("horowitz_45nm"));
        }
    }

    [TestCase(1000.0, 25.6, 25.6)]
    [TestCase(200.0, 0.8, 4.0)]    // 0.8e9 B/s / 200e6 cycles/s
    [TestCase(1500.0, 12.0, 8.0)]  // 12e9 / 1.5e9
    public void GigabytesPerSecond_AreConvertedWithTheClock(double clockMegahertz, double gigabytesPerSecond, double bytesPerCycle)
    {
        string yaml = HardwareYaml
            .WithLine(3, FormattableString.Invariant($"clock_mhz: {clockMegahertz}"))
            .WithLine(17, FormattableString.Invariant($"  bandwidth_gb_per_s: {gigabytesPerSecond}"));

        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml));

        Assert.That(config.Dram.BandwidthBytesPerCycle, Is.EqualTo(bytesPerCycle).Within(1e-12));
    }

    [Test]
    public void BytesPerCycle_AreTakenAsGiven()
    {
        string yaml = HardwareYaml.WithLine(17, "  bandwidth_bytes_per_cycle: 6.5");

        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml));

        Assert.That(config.Dram.BandwidthBytesPerCycle, Is.EqualTo(6.5));
    }

    [TestCase("6-9", PartitionKind.Tensor, PartitionKind.Tensor)]
    [TestCase("6-10", PartitionKind.Tensor, PartitionKind.Column)]
    [TestCase("6-11", PartitionKind.Row, PartitionKind.Tensor)]
    [TestCase("6-12", PartitionKind.Row, PartitionKind.Column)]
    public void Scheme_SetsTheBfpSpecPartitions(string scheme, PartitionKind weights, PartitionKind inputs)
    {
        string yaml = HardwareYaml.WithLineAfter(23, $"  scheme: \"{scheme}\"");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.WeightPartition, bfp.InputPartition), Is.EqualTo((new BlockPartition(weights, 0), new BlockPartition(inputs, 0))));
    }

    [Test]
    public void UnquotedScheme_IsReadAsText()
    {
        string yaml = HardwareYaml.WithLineAfter(23, "  scheme: 6-10");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.WeightPartition, bfp.InputPartition), Is.EqualTo((BlockPartition.Tensor, BlockPartition.Column)));
    }

    [Test]
    public void PartitionPair_ReplacesTheScheme_AndAcceptsGroups()
    {
        string yaml = HardwareYaml.WithLineAfter(23, "  weight_partition: { group: 16 }\n  input_partition: column");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.WeightPartition, bfp.InputPartition), Is.EqualTo((BlockPartition.Group(16), BlockPartition.Column)));
    }

    [Test]
    public void PerTensorFormats_OverrideTheSharedWidths_KeyByKey()
    {
        string yaml = HardwareYaml.WithLineAfter(23, "  weights: { mantissa_bits: 4 }\n  inputs: { exponent_bits: 8 }");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.Weights, bfp.Inputs), Is.EqualTo((new BfpFormat(6, 4), new BfpFormat(8, 10))));
    }

    [Test]
    public void SharedWidths_MayBeLeftOut_WhenBothTensorsGiveThem()
    {
        string yaml = HardwareYaml
            .WithLine(22, "  weights: { exponent_bits: 4, mantissa_bits: 6 }")
            .WithLine(23, "  inputs: { exponent_bits: 5, mantissa_bits: 12 }");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.Weights, bfp.Inputs), Is.EqualTo((new BfpFormat(4, 6), new BfpFormat(5, 12))));
    }

    [Test]
    public void OptionalBfpKeys_AreRead()
    {
        string yaml = HardwareYaml.WithLineAfter(23, "  rounding: stochastic\n  accumulator_bits: 24\n  seed: 18446744073709551615");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.Rounding, bfp.AccumulatorBits, bfp.StochasticSeed), Is.EqualTo((RoundingMode.Stochastic, (int?)24, ulong.MaxValue)));
    }

    [TestCase("  fuse: [max_pool, avg_pool]", FusedKinds.MaxPool | FusedKinds.AveragePool)]
    [TestCase("  fuse: relu, max_pool", FusedKinds.Relu | FusedKinds.MaxPool)]
    [TestCase("  fuse: all", FusedKinds.All)]
    [TestCase("  fuse: none", FusedKinds.None)]
    [TestCase("  # (no fuse)", FusedKinds.None)]
    public void Fuse_IsAListOrCommaSeparatedKinds(string line, FusedKinds expected)
    {
        string yaml = HardwareYaml.WithLineAfter(20, line);

        Assert.That(ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).VectorUnit.Fuse, Is.EqualTo(expected));
    }

    [Test]
    public void Fuse_CanBeSet()
    {
        var overrides = new[] { ConfigOverride.Parse("vector_unit.fuse=max_pool,relu") };

        Assert.That(ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", HardwareYaml), overrides).VectorUnit.Fuse, Is.EqualTo(FusedKinds.MaxPool | FusedKinds.Relu));
    }

    [Test]
    public void NullAccumulatorBits_MeansExact()
    {
        string yaml = HardwareYaml.WithLineAfter(23, "  accumulator_bits: null");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That(bfp.AccumulatorBits, Is.Null);
    }

    private static IEnumerable<TestCaseData> InvalidCases()
    {
        static TestCaseData Case(string name, string yaml, params string[] errors) => new TestCaseData(yaml, errors).SetName(name);

        yield return Case("Out of range: rows 0", HardwareYaml.WithLine(5, "  rows: 0"),
            "5:9: pe_array.rows must be an integer from 1 to 4096, was 0");
        yield return Case("Out of range: rows 4097", HardwareYaml.WithLine(5, "  rows: 4097"),
            "5:9: pe_array.rows must be an integer from 1 to 4096, was 4097");
        yield return Case("Unknown key colz, so cols is missing", HardwareYaml.WithLine(6, "  colz: 16"),
            "4:1: pe_array.cols is required: an integer from 1 to 4096",
            "6:3: unknown key 'colz' in pe_array; allowed: rows, cols, dataflow, arithmetic, zero_operands");
        yield return Case("Unknown top-level key", HardwareYaml + "\ncolour: red",
            "25:1: unknown key 'colour' at the top level; allowed: version, name, clock_mhz, max_cycles, pe_array, buffers, dram, vector_unit, bfp, weight_storage, on_chip_activations, activation_storage, activation_compression, converters, mapper, energy_table");
        yield return Case("Unknown buffer", HardwareYaml.WithLineAfter(15, "  scratch: { capacity_bytes: 64, word_bits: 8, read_ports: 1, write_ports: 1 }"),
            "16:3: unknown key 'scratch' in buffers; allowed: ifmap, weights, ofmap, unified");
        yield return Case("Duplicate key rows", HardwareYaml.WithLineAfter(5, "  rows: 16"),
            "6:3: duplicate key 'rows' in pe_array (first given at line 5); a key may appear only once");
        yield return Case("Duplicate top-level key", HardwareYaml.WithLineAfter(2, "name: again"),
            "3:1: duplicate key 'name' at the top level (first given at line 2); a key may appear only once");
        yield return Case("Wrong type: text for a number", HardwareYaml.WithLine(3, "clock_mhz: fast"),
            "3:12: clock_mhz must be a number greater than 0, was 'fast'");
        yield return Case("Wrong type: quoted integer", HardwareYaml.WithLine(5, "  rows: \"32\""),
            "5:9: pe_array.rows must be an integer from 1 to 4096, was '32' (a quoted string)");
        yield return Case("Wrong type: fraction for an integer", HardwareYaml.WithLine(5, "  rows: 3.5"),
            "5:9: pe_array.rows must be an integer from 1 to 4096, was 3.5");
        yield return Case("Wrong type: list for an integer", HardwareYaml.WithLine(5, "  rows: [32]"),
            "5:9: pe_array.rows must be an integer from 1 to 4096, was a list");
        yield return Case("Wrong type: scalar for a mapping", HardwareYaml.WithLine(19, "vector_unit: 16").WithLine(20, "# (no lanes)"),
            "19:14: vector_unit must be a mapping with keys lanes, fuse, was 16");
        yield return Case("Fuse: a kind that is never fused", HardwareYaml.WithLineAfter(20, "  fuse: [relu, pool]"),
            "21:16: vector_unit.fuse: 'pool' is not a layer kind that can be fused; allowed: relu, max_pool, avg_pool, add, all, none");
        yield return Case("Fuse: a mapping", HardwareYaml.WithLineAfter(20, "  fuse: { relu: true }"),
            "21:9: vector_unit.fuse must be a list of layer kinds to fuse into their producer's output path (relu, max_pool, avg_pool, add), or all, or none, was a mapping");
        yield return Case("Out of range: clock 0", HardwareYaml.WithLine(3, "clock_mhz: 0"),
            "3:12: clock_mhz must be a number greater than 0, was 0");
        yield return Case("Bad enum: activation_storage", HardwareYaml + "\nactivation_storage: fp8",
            "25:21: activation_storage 'fp8' is not one of float32, float16, bfloat16, int8, bfp");
        yield return Case("Bad enum: activation_compression", HardwareYaml + "\nactivation_compression: zip",
            "25:25: activation_compression 'zip' is not one of none, run_length, bitmap");
        yield return Case("BFP storage on a float array", HardwareYaml.WithLineAfter(7, "  arithmetic: float16") + "\nactivation_storage: bfp",
            "26:21: activation_storage: bfp stores the layer's BFP input format and needs pe_array.arithmetic: bfp; a float array stores float32, float16, bfloat16 or int8");
        yield return Case("Bad enum: dataflow", HardwareYaml.WithLine(7, "  dataflow: diagonal"),
            "7:13: pe_array.dataflow 'diagonal' is not one of output_stationary, weight_stationary, input_stationary, row_stationary");
        yield return Case("Missing required: name", HardwareYaml.WithLine(2, "# (no name)"),
            "1:1: name is required: a non-empty string");
        yield return Case("Missing required: empty name", HardwareYaml.WithLine(2, "name: \"\""),
            "2:7: name must be a non-empty string, was ''");
        yield return Case("Missing required: null name", HardwareYaml.WithLine(2, "name:"),
            "2:6: name must be a non-empty string, was empty");
        yield return Case("Missing required: ofmap buffer", HardwareYaml.WithLine(15, "# (no ofmap)"),
            "8:1: buffers.ofmap is required: a mapping with keys capacity_bytes, word_bits, read_ports, write_ports, banks");
        yield return Case("Out of range: banks 0", HardwareYaml.WithLine(14, "  weights: { capacity_bytes: 32768, word_bits: 256, read_ports: 1, write_ports: 1, banks: 0 }"),
            "14:91: buffers.weights.banks must be an integer from 1 to 1024, was 0");
        yield return Case("Banks: capacity not whole words", HardwareYaml.WithLine(10, "    capacity_bytes: 65568").WithLineAfter(13, "    banks: 2"),
            "10:21: buffers.ifmap.capacity_bytes must be a multiple of word_bits / 8 = 64 bytes when the buffer has banks (words interleave over them), was 65568");
        yield return Case("Buffers: unified beside per-tensor buffers", HardwareYaml.WithLineAfter(15, "  unified: { capacity_bytes: 65536, word_bits: 512, read_ports: 1, write_ports: 1 }"),
            "9:3: buffers has both unified and ifmap, weights, ofmap; give either unified alone or all three of ifmap, weights and ofmap");
        yield return Case("Buffers: neither form", HardwareYaml.WithLine(8, "buffers: { }").WithLine(9, "#").WithLine(10, "#").WithLine(11, "#")
            .WithLine(12, "#").WithLine(13, "#").WithLine(14, "#").WithLine(15, "#"),
            "8:1: buffers needs either ifmap, weights and ofmap (one buffer per tensor) or unified (one buffer they share)");
        yield return Case("Buffers: unified with on-chip activations",
            HardwareYaml.WithLine(8, "buffers: { unified: { capacity_bytes: 131072, word_bits: 512, read_ports: 1, write_ports: 1 } }").WithLine(9, "#").WithLine(10, "#")
            .WithLine(11, "#").WithLine(12, "#").WithLine(13, "#").WithLine(14, "#").WithLine(15, "#") + "\non_chip_activations: true",
            "25:22: on_chip_activations: true is modelled with separate ifmap/weights/ofmap buffers only, not with buffers.unified (each layer splits the unified buffer its own way)");
        yield return Case("Missing required: buffer field", HardwareYaml.WithLine(13, "# (no write ports)"),
            "9:3: buffers.ifmap.write_ports is required: an integer from 1 to 16");
        yield return Case("Missing required: energy table", HardwareYaml.WithLine(24, "# (no table)"),
            "1:1: energy_table is required: a non-empty string");
        yield return Case("Missing required: version", HardwareYaml.WithLine(1, "# (no version)"),
            "2:1: version is required: 1");
        yield return Case("Unsupported version", HardwareYaml.WithLine(1, "version: 2"),
            "1:10: version must be 1 (the only format version so far), was 2");
        yield return Case("Word bits not a multiple of 8", HardwareYaml.WithLine(11, "    word_bits: 100"),
            "11:16: buffers.ifmap.word_bits must be a multiple of 8 from 8 to 4096, was 100");
        yield return Case("Capacity below 64 bytes", HardwareYaml.WithLine(10, "    capacity_bytes: 32"),
            "10:21: buffers.ifmap.capacity_bytes must be an integer of at least 64, was 32");
        yield return Case("Too many ports", HardwareYaml.WithLine(12, "    read_ports: 17"),
            "12:17: buffers.ifmap.read_ports must be an integer from 1 to 16, was 17");
        yield return Case("Max cycles 0", HardwareYaml.WithLineAfter(3, "max_cycles: 0"),
            "4:13: max_cycles must be an integer of at least 1, was 0");
        yield return Case("Both DRAM bandwidths", HardwareYaml.WithLineAfter(17, "  bandwidth_bytes_per_cycle: 4"),
            "18:3: dram has both bandwidth_gb_per_s and bandwidth_bytes_per_cycle; give exactly one");
        yield return Case("No DRAM bandwidth", HardwareYaml.WithLine(17, "  # (no bandwidth)"),
            "16:1: dram needs exactly one of bandwidth_gb_per_s (a number greater than 0; 1 GB = 1e9 bytes) or bandwidth_bytes_per_cycle (a number greater than 0)");
        yield return Case("Negative DRAM latency", HardwareYaml.WithLine(18, "  latency_cycles: -1"),
            "18:19: dram.latency_cycles must be an integer of at least 0, was -1");
        yield return Case("Infinite bandwidth", HardwareYaml.WithLine(17, "  bandwidth_gb_per_s: .inf"),
            "17:23: dram.bandwidth_gb_per_s must be a number greater than 0, was '.inf'");
        yield return Case("Both scheme and partitions", HardwareYaml.WithLineAfter(23, "  scheme: \"6-12\"\n  weight_partition: row\n  input_partition: column"),
            "24:3: bfp.scheme and bfp.weight_partition/bfp.input_partition are alternatives: give either scheme (6-9, 6-10, 6-11, 6-12) or both partitions, not both");
        yield return Case("Only one partition", HardwareYaml.WithLineAfter(23, "  weight_partition: row"),
            "21:1: bfp.input_partition is required: tensor, row, column or {group: N}, because bfp.weight_partition is given (or give bfp.scheme instead of both)");
        yield return Case("Bad partition", HardwareYaml.WithLineAfter(23, "  weight_partition: diagonal\n  input_partition: tensor"),
            "24:21: bfp.weight_partition must be one of tensor, row, column, or a mapping {group: N} with N an integer from 1 to 65536, was 'diagonal'");
        yield return Case("Group of 0", HardwareYaml.WithLineAfter(23, "  weight_partition: { group: 0 }\n  input_partition: tensor"),
            "24:30: bfp.weight_partition.group must be an integer from 1 to 65536, was 0");
        yield return Case("Unknown key in a group partition", HardwareYaml.WithLineAfter(23, "  weight_partition: { size: 8 }\n  input_partition: tensor"),
            "24:3: bfp.weight_partition.group is required: an integer from 1 to 65536",
            "24:23: unknown key 'size' in bfp.weight_partition; allowed: group");
        yield return Case("Bad scheme", HardwareYaml.WithLineAfter(23, "  scheme: \"6-13\""),
            "24:11: bfp.scheme '6-13' is not one of 6-9, 6-10, 6-11, 6-12");
        yield return Case("Mantissa of 1 bit", HardwareYaml.WithLine(23, "  mantissa_bits: 1"),
            "23:18: bfp.mantissa_bits must be an integer from 2 to 24, was 1");
        yield return Case("Per-tensor exponent of 9 bits", HardwareYaml.WithLineAfter(23, "  weights: { exponent_bits: 9 }"),
            "24:29: bfp.weights.exponent_bits must be an integer from 2 to 8, was 9");
        yield return Case("Shared exponent missing", HardwareYaml.WithLine(22, "  # (no shared exponent)"),
            "21:1: bfp.exponent_bits is required: an integer from 2 to 8 (it may be left out only when bfp.weights and bfp.inputs both give exponent_bits)");
        yield return Case("Accumulator of 4 bits", HardwareYaml.WithLineAfter(23, "  accumulator_bits: 4"),
            "24:21: bfp.accumulator_bits must be an integer from 8 to 64, was 4");
        yield return Case("Bad rounding", HardwareYaml.WithLineAfter(23, "  rounding: nearest"),
            "24:13: bfp.rounding 'nearest' is not one of nearest_even, toward_zero, toward_positive, toward_negative, stochastic");
        yield return Case("Negative seed", HardwareYaml.WithLineAfter(23, "  seed: -1"),
            "24:9: bfp.seed must be an integer from 0 to 18446744073709551615, was -1");
        yield return Case("Integer too large for any type", HardwareYaml.WithLine(5, "  rows: 99999999999999999999999"),
            "5:9: pe_array.rows must be an integer from 1 to 4096, was 99999999999999999999999");
    }

    [TestCaseSource(nameof(InvalidCases))]
    public void InvalidFile_ReportsTheSpecificErrorAtItsPosition(string yaml, string[] expected)
    {
        string path = _files.Write("hw.yaml", yaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path));

        Assert.That(errors, Is.EqualTo(expected));
    }

    [Test]
    public void ThreeErrors_AreAllReported_InFileOrder_WithTheFileAsGiven()
    {
        string yaml = HardwareYaml
            .WithLine(7, "  dataflow: diagonal")
            .WithLine(3, "clock_mhz: fast")
            .WithLine(5, "  rows: 0");
        string path = _files.Write("hw.yaml", yaml);

        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadAccelerator(path))!;

        Assert.That(exception.Message.Split('\n'), Is.EqualTo(new[]
        {
            $"{path}:3:12: clock_mhz must be a number greater than 0, was 'fast'",
            $"{path}:5:9: pe_array.rows must be an integer from 1 to 4096, was 0",
            $"{path}:7:13: pe_array.dataflow 'diagonal' is not one of output_stationary, weight_stationary, input_stationary, row_stationary",
        }));
    }

    [Test]
    public void RelativePath_IsReportedAsGiven()
    {
        string path = Path.GetRelativePath(Environment.CurrentDirectory, _files.Write("hw.yaml", HardwareYaml.WithLine(5, "  rows: 0")));

        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadAccelerator(path))!;

        Assert.That(exception.Errors.Single().ToString(), Is.EqualTo($"{path}:5:9: pe_array.rows must be an integer from 1 to 4096, was 0"));
    }

    [Test]
    public void MissingEnergyTable_IsReportedAtTheKey_WithWhereItWasLookedFor()
    {
        string path = _files.Write("hw.yaml", HardwareYaml.WithLine(24, "energy_table: energy/none.yaml"));

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path));

        Assert.That(errors, Is.EqualTo(new[]
        {
            $"24:15: energy_table 'energy/none.yaml' does not exist (looked for {Path.Combine(_files.Folder, "energy/none.yaml")}); the path is relative to this file's folder",
        }));
    }

    [Test]
    public void EnergyTableErrors_NameTheTableFile_AndFollowTheConfigErrors()
    {
        string table = File.ReadAllText(_files.EnergyTablePath).Replace("technology_nm: 45", "technology_nm: 0", StringComparison.Ordinal);
        _files.Write("energy/broken.yaml", table);
        string path = _files.Write("hw.yaml", HardwareYaml.WithLine(24, "energy_table: energy/broken.yaml").WithLine(5, "  rows: 0"));

        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadAccelerator(path))!;

        string tablePath = Path.Combine(_files.Folder, "energy/broken.yaml");
        Assert.That(exception.Errors.Select(e => (e.File, e.Line, e.Column, e.Message)), Is.EqualTo(new[]
        {
            (path, 5, 9, "pe_array.rows must be an integer from 1 to 4096, was 0"),
            (tablePath, 17, 16, "technology_nm must be an integer from 1 to 1000, was 0"),
        }));
    }
}
