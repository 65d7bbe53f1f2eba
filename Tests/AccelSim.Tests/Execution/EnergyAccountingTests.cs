using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Whole-layer energy: counts priced by a table, checked against sums done by hand.</summary>
public sealed class EnergyAccountingTests
{
    /// <summary>
    /// Activity of the tiny FC layer (K = 36) on the tiny 4×4 array at 200 MHz, over 50 cycles: 100 MACs of which 10 have
    /// a zero operand, 12 SRAM words (3 + 2 ifmap, 4 + 1 weights, 1 + 1 ofmap), 7 DRAM bytes (5 read, 2 written),
    /// 20 input and 4 output conversions.
    /// </summary>
    private static readonly ActivityCounts Activity = ActivityCounts.Of(new Dictionary<ActionCounter, long>
    {
        [new(ComputeEngine.Macs)] = 100,
        [new(ComputeEngine.IfmapReadWords, ComponentId.Ifmap)] = 3,
        [new(TileLoader.WriteWords, ComponentId.Ifmap)] = 2,
        [new(ComputeEngine.WeightReadWords)] = 4,
        [new(TileLoader.WriteWords, ComponentId.Weights)] = 1,
        [new(OutputBuffer.ReadWords, ComponentId.Ofmap)] = 1,
        [new(OutputBuffer.WriteWords, ComponentId.Ofmap)] = 1,
        [new(DramChannel.ReadBytes, ComponentId.Dram)] = 5,
        [new(DramChannel.WriteBytes, ComponentId.Dram)] = 2,
        [new(ComputeEngine.InputConversions)] = 20,
        [new(ComputeEngine.OutputConversions)] = 4,
        [new(ComputeEngine.VectorOps)] = 0,
    });

    private const long Cycles = 50;
    private const long ZeroMacs = 10;

    private static EnergyEntry Entry(string name, double? pj, int bits, EnergyScaling scaling, double? microwatts = null) =>
        new() { Name = name, PicoJoules = pj, Microwatts = microwatts, ReferenceBits = bits, Scaling = scaling, Source = "hand" };

    /// <summary>Horowitz-like figures, chosen so every line is easy to compute by hand.</summary>
    private static EnergyTable Table(double logicLeakageMicrowatts = 5) => new()
    {
        Name = "hand",
        TechnologyNanometers = 45,
        Entries = new[]
        {
            Entry("int_mult", 0.2, 8, EnergyScaling.Quadratic),
            Entry("int_add", 0.1, 32, EnergyScaling.Linear),
            Entry("register_access", 0.1, 32, EnergyScaling.Linear),
            Entry("bfp_input_convert", 0.13, 8, EnergyScaling.Linear),
            Entry("bfp_output_convert", 0.9, 32, EnergyScaling.None),
            Entry("fp32_add", 0.9, 32, EnergyScaling.None),
            Entry("fp32_mult", 3.7, 32, EnergyScaling.None),
            Entry("fp16_add", 0.4, 16, EnergyScaling.None),
            Entry("fp16_mult", 1.1, 16, EnergyScaling.None),
            Entry("sram_access", 10, 64, EnergyScaling.Linear),
            Entry("dram_access", 1300, 64, EnergyScaling.Linear),
            Entry("leakage_logic", null, 1, EnergyScaling.None, logicLeakageMicrowatts),
            Entry("leakage_sram", null, 8192, EnergyScaling.Linear, 8),
        }.ToImmutableSortedDictionary(e => e.Name, e => e, StringComparer.Ordinal),
    };

    private static AcceleratorConfig Config(ZeroOperandPolicy zeros = ZeroOperandPolicy.None, Arithmetic arithmetic = Arithmetic.Bfp)
    {
        var tiny = TestHardware.Tiny();
        return tiny with { PeArray = tiny.PeArray with { ZeroOperands = zeros, Arithmetic = arithmetic } };
    }

    /// <summary>The layer priced on <paramref name="config"/> as it is, with <paramref name="table"/> (default: the hand table).</summary>
    private static EnergyBreakdown Price(Layer layer, ActivityCounts activity, AcceleratorConfig config, long cycles, long? zeroMacs, EnergyTable? table = null) =>
        EnergyAccounting.Price(layer, activity, config, LayerContext.Of(config), table ?? Table(), cycles, zeroMacs);

    [Test]
    public void BfpLayer_CostsWhatTheHandSumSays()
    {
        // mac_multiply       90 × 0.2 (8×8 bits = the reference)                          =   18
        // accumulate         90 × 0.1 × 21/32 (exact: 7 + 7 + ceil(log2 36) + 1 = 21 bits)  =    5.90625
        // ..._zero_operand   10 × 0.2 + 10 × 0.065625                                      =    2.65625
        // register_write     200 × 0.1 × 8/32                                              =    5
        // input_convert      20 × 0.13; output_convert 4 × 0.9                             =    2.6 + 3.6
        // SRAM               12 words × 10 × 128/64                                        =  240
        // DRAM               56 bits × 1300/64                                             = 1137.5
        // leakage            PEs 50 × 16 × 5/200; lanes 50 × 4 × 5/200; SRAM 3 × 50 × 8·(32768/8192)/200 = 20 + 5 + 24
        // total                                                                            = 1464.2625
        var energy = Price(TestNetworks.TinyFc(), Activity, Config(), Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(energy.TotalPicoJoules, Is.EqualTo(1464.2625).Within(1e-9));
            Assert.That(Line(energy, "pe_array", "accumulate"), Is.EqualTo(5.90625).Within(1e-12));
            Assert.That(Line(energy, "pe_array", "leakage_pe_cycle"), Is.EqualTo(20).Within(1e-12));
            Assert.That(Line(energy, "ifmap", "leakage_cycle"), Is.EqualTo(8).Within(1e-12));
        }
    }

    [Test]
    public void RowStationary_PricesItsRegisterFileAccesses_InsteadOfPipelineRegisters()
    {
        // 1,000 RF reads and writes at register_access (0.1 pJ at 32 bits, linear) and the operand width (8 bits):
        // 1000 × 0.1 × 8/32 = 25 pJ, replacing register_write (200 × 0.1 × 8/32 = 5 pJ): the total moves by +20.
        var activity = Activity.With(new(ComputeEngine.RegisterFileAccesses), 1000);
        var tiny = Config();
        var rs = tiny with { PeArray = tiny.PeArray with { Dataflow = Dataflow.RowStationary } };
        var energy = Price(TestNetworks.TinyFc(), activity, rs, Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Line(energy, "pe_array", "register_file_access"), Is.EqualTo(25).Within(1e-12));
            Assert.That(energy.TotalPicoJoules, Is.EqualTo(1464.2625 + 20).Within(1e-9));
        }
    }

    [Test]
    public void InputBlockFormatting_IsPricedAsExponentComparesAndLatches()
    {
        // The tiny conv under a column input partition (scheme 6-12): 36 windows of K = 18 → 36 blocks and
        // 36 · 18 − 36 = 612 comparisons of 5-bit exponents. exponent_compare 612 × 0.1 × 5/32 = 9.5625;
        // exponent_write 36 × 0.1 × 5/32 = 0.5625 (int_add and register_access are 0.1 pJ at 32 bits, linear).
        var activity = Activity
            .With(new(ComputeEngine.InputBlocks, ComponentId.BfpConverter), 36)
            .With(new(ComputeEngine.ExponentComparisons, ComponentId.BfpConverter), 612);
        var with = Price(TestNetworks.TinyFc(), activity, Config(), Cycles, ZeroMacs);
        var without = Price(TestNetworks.TinyFc(), Activity, Config(), Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Line(with, "bfp_converter", "exponent_compare"), Is.EqualTo(9.5625).Within(1e-12));
            Assert.That(Line(with, "bfp_converter", "exponent_write"), Is.EqualTo(0.5625).Within(1e-12));
            Assert.That(with.TotalPicoJoules - without.TotalPicoJoules, Is.EqualTo(10.125).Within(1e-9));
        }
    }

    [Test]
    public void BankedBuffer_PricesAnAccessAtOneBanksCapacity()
    {
        // An access activates one bank: 4 banks of the 4 KiB ifmap buffer are 1 KiB each, and the table's capacity
        // points (log-log interpolation) price that; the 1-bank weights and ofmap stay at 4 KiB. Leakage is by bits.
        var tiny = Config();
        var config = tiny with { Buffers = tiny.Buffers with { Ifmap = tiny.Buffers.Ifmap with { Banks = 4 } } };
        var actions = EnergyAccounting.Actions(TestNetworks.TinyFc(), Activity, config, Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(actions.Single(a => a.Key.Component.Path == "ifmap" && a.Key.Name == "read_word").CapacityBytes, Is.EqualTo(1024));
            Assert.That(actions.Single(a => a.Key.Component.Path == "weights" && a.Key.Name == "read_word").CapacityBytes, Is.EqualTo(4096));
            Assert.That(actions.Single(a => a.Key.Component.Path == "ifmap" && a.Key.Name == "leakage_cycle").Bits, Is.EqualTo(4096 * 8));
        }
    }

    [Test]
    public void UnifiedBuffer_PricesEveryTensorsAccessAtItsBanks_AndLeaksOnce()
    {
        // 12 KiB unified in 2 banks: every access (whatever the tensor) is to a 6 KiB bank; one leakage line of 12 KiB.
        var unified = new SramConfig("unified", 12288, 128, 1, 1) { Banks = 2 };
        var config = Config() with { Buffers = BufferSetConfig.Split(unified, 4096, 4096, 4096, partitioned: true) };
        var actions = EnergyAccounting.Actions(TestNetworks.TinyFc(), Activity, config, Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(actions.Where(a => a.Key.Name is "read_word" or "write_word").Select(a => a.CapacityBytes).Distinct(), Is.EqualTo(new[] { 6144L }));
            Assert.That(actions.Where(a => a.Key.Name == "leakage_cycle" && a.Entry == EnergyEntryNames.SramLeakage).Select(a => (a.Key.Component.Path, a.Bits)),
                Is.EqualTo(new[] { ("unified", 12288 * 8.0) }));
        }
    }

    [Test]
    public void Gating_SavesExactlyTheZeroOperandArithmetic()
    {
        double plain = Price(TestNetworks.TinyFc(), Activity, Config(), Cycles, ZeroMacs).TotalPicoJoules;
        var gated = Price(TestNetworks.TinyFc(), Activity, Config(ZeroOperandPolicy.Gate), Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            // 10 × (0.2 + 0.065625) = 2.65625 pJ: the multiplies and adds of the zero-operand MACs; registers still switch.
            Assert.That(plain - gated.TotalPicoJoules, Is.EqualTo(2.65625).Within(1e-9));
            Assert.That(gated.Lines.Select(l => l.Action), Has.None.Contains("zero_operand"));
            Assert.That(Line(gated, "pe_array", "register_write"), Is.EqualTo(5).Within(1e-12));
        }
    }

    [Test]
    public void WithoutNumerics_EveryMacIsPricedAlike()
    {
        double known = Price(TestNetworks.TinyFc(), Activity, Config(ZeroOperandPolicy.Gate), Cycles, ZeroMacs).TotalPicoJoules;
        double unknown = Price(TestNetworks.TinyFc(), Activity, Config(ZeroOperandPolicy.Gate), Cycles, null).TotalPicoJoules;

        Assert.That(unknown - known, Is.EqualTo(2.65625).Within(1e-9));
    }

    [Test]
    public void ChangingTheLogicLeakage_ChangesTheTotalByCyclesTimesUnits()
    {
        double before = Price(TestNetworks.TinyFc(), Activity, Config(), Cycles, ZeroMacs).TotalPicoJoules;
        double after = Price(TestNetworks.TinyFc(), Activity, Config(), Cycles, ZeroMacs, Table(logicLeakageMicrowatts: 7)).TotalPicoJoules;

        // +2 µW on each of 16 PEs and 4 lanes for 50 cycles at 200 MHz: 20 × 50 × 2/200 = 10 pJ.
        Assert.That(after - before, Is.EqualTo(10).Within(1e-9));
    }

    [Test]
    public void Float16Array_PricesFloatMultipliesAndFloat32Adds_AndNoBfpConversions()
    {
        var energy = Price(TestNetworks.TinyFc(), Activity, Config(arithmetic: Arithmetic.Float16), Cycles, ZeroMacs);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Line(energy, "pe_array", "mac_multiply"), Is.EqualTo(90 * 1.1).Within(1e-9));
            Assert.That(Line(energy, "pe_array", "accumulate"), Is.EqualTo(90 * 0.9).Within(1e-9));

            // Operand registers hold 16-bit values: 200 × 0.1 × 16/32.
            Assert.That(Line(energy, "pe_array", "register_write"), Is.EqualTo(10).Within(1e-9));

            // Rounding float32 inputs to float16 costs a 16-bit add each: 20 × 0.1 × 16/32.
            Assert.That(Line(energy, "fp16_converter", "input_convert"), Is.EqualTo(1).Within(1e-9));
            Assert.That(energy.Lines.Select(l => l.Component), Has.None.EqualTo("bfp_converter"));
        }
    }

    [Test]
    public void MissingEntry_NamesTheEntryAndTheAction()
    {
        var config = Config();
        var table = Table() with { Entries = Table().Entries.Remove("register_access") };

        var error = Assert.Throws<KeyNotFoundException>(() => Price(TestNetworks.TinyFc(), Activity, config, Cycles, ZeroMacs, table));

        Assert.That(error!.Message, Is.EqualTo("energy table 'hand' has no entry 'register_access' to price pe_array.register_write"));
    }

    [Test]
    public void EveryCounterAnActionPrices_IsInTheActivityOfALayer_AndNothingElse()
    {
        // A BFP conv formats its input into blocks at run time, so the closed-form counters are there too; an MX (here
        // NVFP4) conv adds its block products and output values.
        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyConv(), 1, TestHardware.Tiny());
        AcceleratorConfig mx = TestHardware.Tiny() with { Bfp = TestHardware.Tiny().Bfp with { WeightMx = MxFormat.Nvfp4, InputMx = MxFormat.Nvfp4 } };
        LayerTiming mxTiming = LayerSimulator.Run(TestNetworks.TinyConv(), 1, mx);

        // Zero-compressed input and output add the codecs' counters.
        LayerContext packed = LayerContexts.For(TestNetworks.TinyConv(), TestHardware.Tiny(), RunSettings.Native) with
        {
            InputDramRatio = 0.5, OutputDramRatio = 0.5, OutputCompression = ActivationCompression.Bitmap,
        };
        LayerTiming packedTiming = LayerSimulator.Run(TestNetworks.TinyConv(), 1, TestHardware.Tiny(), packed);

        Assert.That(timing.Activity.Counters.Union(mxTiming.Activity.Counters).Union(packedTiming.Activity.Counters), Is.EquivalentTo(HardwareActions.Counters));
    }

    [Test]
    public void Accounting_PricesExactlyTheDeclaredActions_InTheirOrder()
    {
        var priced = new HashSet<ActionKey>();
        foreach (Arithmetic arithmetic in Enum.GetValues<Arithmetic>())
        {
            foreach (Dataflow dataflow in Enum.GetValues<Dataflow>())
            {
                foreach (ZeroOperandPolicy zeros in Enum.GetValues<ZeroOperandPolicy>())
                {
                    var tiny = Config(zeros, arithmetic);
                    // Row stationary also compresses feature maps (the codec actions); the others do not.
                    var compression = dataflow == Dataflow.RowStationary ? ActivationCompression.RunLength : ActivationCompression.None;
                    var config = tiny with { PeArray = tiny.PeArray with { Dataflow = dataflow }, ActivationCompression = compression };

                    // The config's own formats, and NVFP4 with float32 accumulation (its scale and block-add actions).
                    var nvfp4 = config.Bfp with { WeightMx = MxFormat.Nvfp4, InputMx = MxFormat.Nvfp4, Mx = config.Bfp.Mx with { Accumulation = MxAccumulation.Fp32 } };
                    foreach (BfpSettings? formats in new[] { null, nvfp4 })
                    {
                        var counted = EnergyAccounting.Actions(TestNetworks.TinyFc(), ActivityCounts.None, config, Cycles, ZeroMacs, formats)
                            .Select(a => a.Key).Where(k => !k.IsLeakage).ToList();
                        Assert.That(counted, Is.EqualTo(HardwareActions.Counted.Intersect(counted)), $"{arithmetic} {dataflow} {zeros}: declared order");
                        priced.UnionWith(counted);
                    }
                }
            }
        }

        Assert.That(priced, Is.EquivalentTo(HardwareActions.Counted));
    }

    private static double Line(EnergyBreakdown energy, string component, string action) =>
        energy.Lines.Single(l => l.Component == component && l.Action == action).EnergyPicoJoules;
}
