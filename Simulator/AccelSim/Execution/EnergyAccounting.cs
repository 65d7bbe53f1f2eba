using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Turns a layer's counted activity into the priced actions of each component.</summary>
public static class EnergyAccounting
{
    /// <param name="context">What the run decided for the layer: its BFP formats price the arithmetic and converters.</param>
    /// <param name="energy">The table that prices the actions.</param>
    /// <param name="totalCycles">The layer's cycles: static power (leakage) is charged for each of them.</param>
    /// <param name="zeroOperandMacs">MACs with a zero operand, when numerics ran; null when unknown (all MACs priced alike).</param>
    public static EnergyBreakdown Price(
        Layer layer, ActivityCounts activity, AcceleratorConfig config, LayerContext context, EnergyTable energy, long totalCycles, long? zeroOperandMacs) =>
        EnergyModel.Price(Actions(layer, activity, config, totalCycles, zeroOperandMacs, context.Bfp), energy);

    /// <summary>Each component's actions in <paramref name="activity"/>, with the operand width that prices them (each
    /// action's key names its table entry).</summary>
    /// <param name="layerBfp">The layer's effective BFP settings; null: the config's.</param>
    public static IReadOnlyList<PricedAction> Actions(
        Layer layer, ActivityCounts activity, AcceleratorConfig config, long totalCycles, long? zeroOperandMacs, BfpSettings? layerBfp = null)
    {
        BfpSettings bfp = layerBfp ?? config.Bfp;
        var actions = new List<PricedAction>();
        AddArray(actions, layer, activity, config, bfp, zeroOperandMacs);
        AddConverters(actions, activity, config, bfp);
        actions.Add(new(HardwareActions.VectorOp, activity.VectorOps, 32, 0));
        AddMemories(actions, activity, config.Buffers);
        AddLeakage(actions, config, totalCycles);
        return actions;
    }

    /// <summary>The PE array's arithmetic and its registers.</summary>
    private static void AddArray(List<PricedAction> actions, Layer layer, ActivityCounts activity, AcceleratorConfig config, BfpSettings bfp, long? zeroOperandMacs)
    {
        var pe = config.PeArray;
        // Numerics count zero-operand MACs over all the layer's MACs; a skipping array did not perform some of them.
        long useful = activity.Macs + activity.SkippedMacs;
        long nonZero = zeroOperandMacs is { } z ? Math.Clamp(useful - z, 0, activity.Macs) : activity.Macs;
        long zeros = activity.Macs - nonZero;
        (ArrayActions array, double multiplyBits, double addBits, double operandBits) = pe.Arithmetic switch
        {
            // A mantissa product costs a multiplier of Lw × Li bits; its sum an accumulator-wide add.
            Arithmetic.Bfp => (HardwareActions.IntegerArray, Math.Sqrt((double)bfp.Weights.MantissaBits * bfp.Inputs.MantissaBits),
                AccumulatorBits(layer, bfp), (bfp.Weights.MantissaBits + bfp.Inputs.MantissaBits) / 2.0),
            Arithmetic.Float16 => (HardwareActions.HalfArray, 16, 32, 16),
            Arithmetic.Float32 => (HardwareActions.FloatArray, 32, 32, 32),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };

        actions.Add(new(array.Multiply, nonZero, multiplyBits, 0));
        actions.Add(new(array.Accumulate, nonZero, addBits, 0));
        if (pe.Dataflow == Dataflow.RowStationary)
        {
            // Row stationary keeps filter rows, ifmap rows and psums in each PE's register file: every read and write of
            // it (the reuse that defines the dataflow) is priced, and no operand hops through pipeline registers per MAC.
            actions.Add(new(HardwareActions.RegisterFileAccess, activity.RegisterFileAccesses, operandBits, 0));
        }
        else
        {
            // Each MAC latches its two operands into the PE's pipeline registers (they hop one PE per cycle), zero or not.
            actions.Add(new(HardwareActions.RegisterWrite, 2 * activity.Macs, operandBits, 0));
        }

        // Zero-operand MACs are listed on their own lines; a gated array does not spend arithmetic energy on them.
        if (zeros > 0 && pe.ZeroOperands == ZeroOperandPolicy.None)
        {
            actions.Add(new(array.MultiplyZeroOperand, zeros, multiplyBits, 0));
            actions.Add(new(array.AccumulateZeroOperand, zeros, addBits, 0));
        }
    }

    /// <summary>The number-format converters between the buffers and the array.</summary>
    private static void AddConverters(List<PricedAction> actions, ActivityCounts activity, AcceleratorConfig config, BfpSettings bfp)
    {
        switch (config.PeArray.Arithmetic)
        {
            case Arithmetic.Bfp:
                actions.Add(new(HardwareActions.BfpInputConvert, activity.InputConversions, bfp.Inputs.MantissaBits, 0));

                // Finding each input block's shared exponent: a comparator tree of E-bit compares (priced as E-bit
                // adds, a compare being a subtraction), and the exponent latched for the block. This is where the
                // column-wise schemes pay for their many small blocks.
                actions.Add(new(HardwareActions.ExponentCompare, activity.ExponentComparisons, bfp.Inputs.ExponentBits, 0));
                actions.Add(new(HardwareActions.ExponentWrite, activity.InputBlocks, bfp.Inputs.ExponentBits, 0));
                actions.Add(new(HardwareActions.BfpOutputConvert, activity.OutputConversions, 32, 0));
                break;
            case Arithmetic.Float16:
                // float32 feature maps are rounded to float16 on their way in.
                actions.Add(new(HardwareActions.Fp16InputConvert, activity.InputConversions, 16, 0));
                break;
            case Arithmetic.Float32:
                break; // feature maps are float32 already
        }
    }

    /// <summary>The buffers' word accesses and DRAM's bits.</summary>
    private static void AddMemories(List<PricedAction> actions, ActivityCounts activity, BufferSetConfig buffers)
    {
        actions.Add(Sram(buffers.Ifmap, HardwareActions.SramReadWord, activity.IfmapReadWords));
        actions.Add(Sram(buffers.Ifmap, HardwareActions.SramWriteWord, activity.IfmapWriteWords));
        actions.Add(Sram(buffers.Weights, HardwareActions.SramReadWord, activity.WeightReadWords));
        actions.Add(Sram(buffers.Weights, HardwareActions.SramWriteWord, activity.WeightWriteWords));
        actions.Add(Sram(buffers.Ofmap, HardwareActions.SramReadWord, activity.OfmapReadWords));
        actions.Add(Sram(buffers.Ofmap, HardwareActions.SramWriteWord, activity.OfmapWriteWords));
        actions.Add(new(HardwareActions.DramReadBit, activity.DramReadBytes * 8, 1, 0));
        actions.Add(new(HardwareActions.DramWriteBit, activity.DramWriteBytes * 8, 1, 0));

        // An access activates one bank: it is priced at the bank's capacity (the table interpolates by capacity, so more,
        // smaller banks make each access cheaper). The parts of a unified buffer are priced as the unified buffer's banks.
        PricedAction Sram(SramConfig sram, Func<ComponentId, ActionKey> action, long words) =>
            new(action(new ComponentId(sram.Name)), words, sram.WordBits, (buffers.Unified ?? sram).BankCapacityBytes);
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
