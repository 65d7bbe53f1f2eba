using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Turns a layer's counted activity into the priced actions of each component.</summary>
public static class EnergyAccounting
{
    /// <param name="totalCycles">The layer's cycles: static power (leakage) is charged for each of them.</param>
    /// <param name="zeroOperandMacs">MACs with a zero operand, when numerics ran; null when unknown (all MACs priced alike).</param>
    public static EnergyBreakdown Price(Layer layer, ActivityCounts activity, AcceleratorConfig config, long totalCycles, long? zeroOperandMacs) =>
        EnergyModel.Price(Actions(layer, activity, config, totalCycles, zeroOperandMacs), config.Energy);

    /// <summary>Each component's actions in <paramref name="activity"/>, with the table entry and operand width that price them.</summary>
    public static IReadOnlyList<PricedAction> Actions(
        Layer layer, ActivityCounts activity, AcceleratorConfig config, long totalCycles, long? zeroOperandMacs)
    {
        var pe = config.PeArray;
        var buffers = config.Buffers;
        // Numerics count zero-operand MACs over all the layer's MACs; a skipping array did not perform some of them.
        long useful = activity.Macs + activity.SkippedMacs;
        long nonZero = zeroOperandMacs is { } z ? Math.Clamp(useful - z, 0, activity.Macs) : activity.Macs;
        long zeros = activity.Macs - nonZero;
        (string multiplyEntry, double multiplyBits, string addEntry, double addBits, double operandBits) = pe.Arithmetic switch
        {
            // A mantissa product costs a multiplier of Lw × Li bits; its sum an accumulator-wide add.
            Arithmetic.Bfp => (EnergyEntryNames.IntegerMultiply, Math.Sqrt((double)config.Bfp.Weights.MantissaBits * config.Bfp.Inputs.MantissaBits),
                EnergyEntryNames.IntegerAdd, AccumulatorBits(layer, config), (config.Bfp.Weights.MantissaBits + config.Bfp.Inputs.MantissaBits) / 2.0),
            Arithmetic.Float16 => (EnergyEntryNames.HalfMultiply, 16, EnergyEntryNames.FloatAdd, 32, 16),
            Arithmetic.Float32 => (EnergyEntryNames.FloatMultiply, 32, EnergyEntryNames.FloatAdd, 32, 32),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };

        var actions = new List<PricedAction>
        {
            new(HardwareActions.MacMultiply, nonZero, multiplyEntry, multiplyBits, 0),
            new(HardwareActions.Accumulate, nonZero, addEntry, addBits, 0),
        };

        if (pe.Dataflow == Dataflow.RowStationary)
        {
            // Row stationary keeps filter rows, ifmap rows and psums in each PE's register file: every read and write of
            // it (the reuse that defines the dataflow) is priced, and no operand hops through pipeline registers per MAC.
            actions.Add(new(HardwareActions.RegisterFileAccess, activity.RegisterFileAccesses, EnergyEntryNames.RegisterAccess, operandBits, 0));
        }
        else
        {
            // Each MAC latches its two operands into the PE's pipeline registers (they hop one PE per cycle), zero or not.
            actions.Add(new(HardwareActions.RegisterWrite, 2 * activity.Macs, EnergyEntryNames.RegisterAccess, operandBits, 0));
        }

        // Zero-operand MACs are listed on their own lines; a gated array does not spend arithmetic energy on them.
        if (zeros > 0 && pe.ZeroOperands == ZeroOperandPolicy.None)
        {
            actions.Add(new(HardwareActions.MacMultiplyZeroOperand, zeros, multiplyEntry, multiplyBits, 0));
            actions.Add(new(HardwareActions.AccumulateZeroOperand, zeros, addEntry, addBits, 0));
        }

        switch (pe.Arithmetic)
        {
            case Arithmetic.Bfp:
                actions.Add(new(HardwareActions.BfpInputConvert, activity.InputConversions, EnergyEntryNames.BfpInputConvert, config.Bfp.Inputs.MantissaBits, 0));

                // Finding each input block's shared exponent: a comparator tree of E-bit compares (priced as E-bit
                // adds, a compare being a subtraction), and the exponent latched for the block. This is where the
                // column-wise schemes pay for their many small blocks.
                actions.Add(new(HardwareActions.ExponentCompare, activity.ExponentComparisons, EnergyEntryNames.IntegerAdd, config.Bfp.Inputs.ExponentBits, 0));
                actions.Add(new(HardwareActions.ExponentWrite, activity.InputBlocks, EnergyEntryNames.RegisterAccess, config.Bfp.Inputs.ExponentBits, 0));
                actions.Add(new(HardwareActions.BfpOutputConvert, activity.OutputConversions, EnergyEntryNames.BfpOutputConvert, 32, 0));
                break;
            case Arithmetic.Float16:
                // float32 feature maps are rounded to float16 on their way in: an exponent rebias and a rounding add, priced as a 16-bit add.
                actions.Add(new(HardwareActions.Fp16InputConvert, activity.InputConversions, EnergyEntryNames.IntegerAdd, 16, 0));
                break;
            case Arithmetic.Float32:
                break; // feature maps are float32 already
        }

        actions.Add(new(HardwareActions.VectorOp, activity.VectorOps, EnergyEntryNames.FloatAdd, 32, 0));
        actions.Add(Sram(buffers.Ifmap, HardwareActions.SramReadWord, activity.IfmapReadWords));
        actions.Add(Sram(buffers.Ifmap, HardwareActions.SramWriteWord, activity.IfmapWriteWords));
        actions.Add(Sram(buffers.Weights, HardwareActions.SramReadWord, activity.WeightReadWords));
        actions.Add(Sram(buffers.Weights, HardwareActions.SramWriteWord, activity.WeightWriteWords));
        actions.Add(Sram(buffers.Ofmap, HardwareActions.SramReadWord, activity.OfmapReadWords));
        actions.Add(Sram(buffers.Ofmap, HardwareActions.SramWriteWord, activity.OfmapWriteWords));
        actions.Add(new(HardwareActions.DramReadBit, activity.DramReadBytes * 8, EnergyEntryNames.DramAccess, 1, 0));
        actions.Add(new(HardwareActions.DramWriteBit, activity.DramWriteBytes * 8, EnergyEntryNames.DramAccess, 1, 0));

        // Static power, every cycle of the layer: per PE, per vector lane, and per bit of each buffer. DRAM's background
        // power is off-chip and not modelled.
        double clock = config.ClockMegahertz;
        actions.Add(new(HardwareActions.PeLeakage, totalCycles * pe.PeCount, EnergyEntryNames.LogicLeakage, 1, 0, clock));
        actions.Add(new(HardwareActions.LaneLeakage, totalCycles * config.VectorUnit.Lanes, EnergyEntryNames.LogicLeakage, 1, 0, clock));
        foreach (SramConfig sram in buffers.Physical)
        {
            actions.Add(new(HardwareActions.SramLeakage(new ComponentId(sram.Name)), totalCycles, EnergyEntryNames.SramLeakage, sram.CapacityBytes * 8.0, 0, clock));
        }

        return actions;

        // An access activates one bank: it is priced at the bank's capacity (the table interpolates by capacity, so more,
        // smaller banks make each access cheaper). The parts of a unified buffer are priced as the unified buffer's banks.
        PricedAction Sram(SramConfig sram, Func<ComponentId, ActionKey> action, long words) =>
            new(action(new ComponentId(sram.Name)), words, EnergyEntryNames.SramAccess, sram.WordBits, (buffers.Unified ?? sram).BankCapacityBytes);
    }

    /// <summary>The configured accumulator width, or for an exact accumulator the width that holds any sum of the layer.</summary>
    /// <remarks>Exact width: (Lw − 1) + (Li − 1) magnitude bits per product, ceil(log2 K) for the sum of K, plus the sign.</remarks>
    public static int AccumulatorBits(Layer layer, AcceleratorConfig config)
    {
        if (config.Bfp.AccumulatorBits is { } bits)
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
        return (config.Bfp.Weights.MantissaBits - 1) + (config.Bfp.Inputs.MantissaBits - 1) + sumBits + 1;
    }
}
