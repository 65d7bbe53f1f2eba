using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Turns a layer's counted activity into the priced actions of each component. The actions are those
/// <see cref="HardwareActions"/> declares; this class evaluates their conditions and width rules, and charges static power.</summary>
public static class EnergyAccounting
{
    /// <param name="context">What the run decided for the layer: its BFP formats price the arithmetic and converters.</param>
    /// <param name="energy">The table that prices the actions.</param>
    /// <param name="totalCycles">The layer's cycles: static power (leakage) is charged for each of them.</param>
    /// <param name="zeroOperandMacs">MACs with a zero operand, when numerics ran; null when unknown (all MACs priced alike).</param>
    public static EnergyBreakdown Price(
        Layer layer, ActivityCounts activity, AcceleratorConfig config, LayerContext context, EnergyTable energy, long totalCycles, long? zeroOperandMacs) =>
        EnergyModel.Price(Actions(layer, activity, config, totalCycles, zeroOperandMacs, context.Bfp), energy);

    /// <summary>Every counted action of <see cref="HardwareActions.Counted"/> the config has, in that order, with its
    /// count in <paramref name="activity"/> and the operand width that prices it (each action's key names its table
    /// entry), then static power. Actions counted 0 are listed too (pricing leaves them out).</summary>
    /// <param name="layerBfp">The layer's effective BFP settings; null: the config's.</param>
    public static IReadOnlyList<PricedAction> Actions(
        Layer layer, ActivityCounts activity, AcceleratorConfig config, long totalCycles, long? zeroOperandMacs, BfpSettings? layerBfp = null)
    {
        BfpSettings bfp = layerBfp ?? config.Bfp;
        ActionConditions facts = Facts(config, bfp);
        if (config.ActivationCompression != ActivationCompression.None
            || activity[HardwareActions.DecompressBit.Counter!] > 0 || activity[HardwareActions.CompressBit.Counter!] > 0)
        {
            facts |= ActionConditions.ZeroCompression;
        }

        var actions = new List<PricedAction>();
        foreach (ActionKey key in HardwareActions.Counted.Where(k => (k.When & facts) == k.When))
        {
            long count = Count(key, activity, zeroOperandMacs);
            actions.Add(key.Width == OperandWidth.SramWord ? Sram(key, count, config.Buffers) : new(key, count, Bits(key.Width, layer, config, bfp), 0));
        }

        AddLeakage(actions, config, totalCycles);
        return actions;
    }

    /// <summary>What <paramref name="config"/> and the layer's formats <paramref name="bfp"/> are, in the terms actions
    /// are conditioned on.</summary>
    private static ActionConditions Facts(AcceleratorConfig config, BfpSettings bfp)
    {
        var pe = config.PeArray;
        ActionConditions arithmetic = pe.Arithmetic switch
        {
            Arithmetic.Bfp => ActionConditions.BfpArithmetic,
            Arithmetic.Float16 => ActionConditions.Float16Arithmetic,
            Arithmetic.Float32 => ActionConditions.Float32Arithmetic,
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
        ActionConditions dataflow = pe.Dataflow == Dataflow.RowStationary ? ActionConditions.RowStationary : ActionConditions.Systolic;

        // A gated array spends no arithmetic energy on zero-operand MACs, and a skipping one does not perform them.
        ActionConditions zeros = pe.ZeroOperands == ZeroOperandPolicy.None ? ActionConditions.UngatedZeroOperands : ActionConditions.Always;
        ActionConditions nvfp4 = bfp.IsMx && (bfp.WeightMx!.IsNvfp4 || bfp.InputMx!.IsNvfp4) ? ActionConditions.Nvfp4Scales : ActionConditions.Always;
        ActionConditions fp32 = bfp.IsMx && bfp.Mx.Accumulation == MxAccumulation.Fp32 ? ActionConditions.MxFloatAccumulation : ActionConditions.Always;
        return arithmetic | dataflow | zeros | nvfp4 | fp32;
    }

    /// <summary>How often <paramref name="key"/> happened: its counter's value, times the actions per count, and for a
    /// share of the MACs, that share.</summary>
    private static long Count(ActionKey key, ActivityCounts activity, long? zeroOperandMacs)
    {
        long counted = activity[key.Counter!] * key.PerCount;
        if (key.Share == OperandShare.All)
        {
            return counted;
        }

        // Numerics count zero-operand MACs over all the layer's MACs; a skipping array did not perform some of them.
        long useful = counted + activity[HardwareActions.SkippedMacs];
        long nonZero = zeroOperandMacs is { } z ? Math.Clamp(useful - z, 0, counted) : counted;
        return key.Share == OperandShare.NonZero ? nonZero : counted - nonZero;
    }

    /// <summary>The operand width the rule <paramref name="width"/> gives for the layer on the config.</summary>
    private static double Bits(OperandWidth width, Layer layer, AcceleratorConfig config, BfpSettings bfp) => width switch
    {
        OperandWidth.OneBit => 1,
        OperandWidth.Float16 => 16,
        OperandWidth.Float32 => 32,

        // A mantissa product costs a multiplier of Lw × Li bits; its sum an accumulator-wide add. An MX/NVFP4 element
        // product multiplies significands (docs/mx-formats.md, "Cost").
        OperandWidth.MantissaProduct => bfp.IsMx
            ? Math.Sqrt((double)bfp.WeightMx!.SignificandBits * bfp.InputMx!.SignificandBits)
            : Math.Sqrt((double)bfp.Weights.MantissaBits * bfp.Inputs.MantissaBits),
        OperandWidth.Accumulator => AccumulatorBits(layer, bfp),
        OperandWidth.ScaleSignificand => MxFormat.Nvfp4ScaleSignificandBits,
        OperandWidth.BlockSumByScale => Math.Sqrt((double)MxFormat.BlockSumBits(bfp.WeightMx!, bfp.InputMx!) * ScaleProductBits(bfp)),
        OperandWidth.ArrayOperand => config.PeArray.Arithmetic switch
        {
            Arithmetic.Bfp => (bfp.Weights.MantissaBits + bfp.Inputs.MantissaBits) / 2.0,
            Arithmetic.Float16 => 16,
            Arithmetic.Float32 => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        },
        OperandWidth.InputMantissa => bfp.Inputs.MantissaBits,
        OperandWidth.InputExponent => bfp.Inputs.ExponentBits,
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "not an operand width of one value"),
    };

    /// <summary>The significand bits of a block-scale product: an NVFP4 side's E4M3 scale brings 4, an E8M0 side none
    /// (a power of two).</summary>
    private static int ScaleProductBits(BfpSettings bfp) =>
        (bfp.WeightMx!.IsNvfp4 ? MxFormat.Nvfp4ScaleSignificandBits : 0) + (bfp.InputMx!.IsNvfp4 ? MxFormat.Nvfp4ScaleSignificandBits : 0);

    /// <summary>A word access of the buffer the key names, on the configured buffer of that tensor.</summary>
    /// <remarks>An access activates one bank: it is priced at the bank's capacity (the table interpolates by capacity,
    /// so more, smaller banks make each access cheaper). The parts of a unified buffer are priced as the unified
    /// buffer's banks.</remarks>
    private static PricedAction Sram(ActionKey key, long count, BufferSetConfig buffers)
    {
        SramConfig sram = key.Component == ComponentId.Ifmap ? buffers.Ifmap
            : key.Component == ComponentId.Weights ? buffers.Weights
            : key.Component == ComponentId.Ofmap ? buffers.Ofmap
            : throw new ArgumentOutOfRangeException(nameof(key), key, "not an action of a tensor's buffer");
        return new(key with { Component = new ComponentId(sram.Name) }, count, sram.WordBits, (buffers.Unified ?? sram).BankCapacityBytes);
    }

    /// <summary>Static power, every cycle of the layer: per PE, per vector lane, and per bit of each buffer. DRAM's
    /// background power is off-chip and not modelled.</summary>
    private static void AddLeakage(List<PricedAction> actions, AcceleratorConfig config, long totalCycles)
    {
        double clock = config.ClockMegahertz;
        actions.Add(new(HardwareActions.PeLeakage, totalCycles * config.PeArray.PeCount, 1, 0, clock));
        actions.Add(new(HardwareActions.LaneLeakage, totalCycles * config.VectorUnit.Lanes, 1, 0, clock));
        foreach (SramConfig sram in config.Buffers.Physical)
        {
            actions.Add(new(HardwareActions.SramLeakage(new ComponentId(sram.Name)), totalCycles, sram.CapacityBytes * 8.0, 0, clock));
        }
    }

    /// <summary>The configured accumulator width, or for an exact accumulator the width that holds any sum of the layer.</summary>
    /// <remarks>Exact width: (Lw − 1) + (Li − 1) magnitude bits per product, ceil(log2 K) for the sum of K, plus the sign.</remarks>
    public static int AccumulatorBits(Layer layer, BfpSettings bfp)
    {
        if (bfp.AccumulatorBits is { } bits)
        {
            return bits;
        }

        if (bfp.IsMx)
        {
            // Each MAC adds into its block's exact fixed-point sum; exponent adds and alignment fold into that add.
            return bfp.Mx.Accumulation == MxAccumulation.Fixed ? bfp.Mx.AccumulatorBits : MxFormat.BlockSumBits(bfp.WeightMx!, bfp.InputMx!);
        }

        long reduction = layer switch
        {
            ConvLayer c => c.ReductionLength,
            FullyConnectedLayer f => f.InputFeatures,
            _ => 1,
        };
        int sumBits = (int)Math.Ceiling(Math.Log2(Math.Max(1, reduction)));
        return (bfp.Weights.MantissaBits - 1) + (bfp.Inputs.MantissaBits - 1) + sumBits + 1;
    }
}
