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

    /// <summary>Each component's actions in <paramref name="activity"/>, with the table entry and operand width that price them.</summary>
    /// <param name="layerBfp">The layer's effective BFP settings; null: the config's.</param>
    public static IReadOnlyList<PricedAction> Actions(
        Layer layer, ActivityCounts activity, AcceleratorConfig config, long totalCycles, long? zeroOperandMacs, BfpSettings? layerBfp = null)
    {
        BfpSettings bfp = layerBfp ?? config.Bfp;
        var pe = config.PeArray;
        var buffers = config.Buffers;
        // Numerics count zero-operand MACs over all the layer's MACs; a skipping array did not perform some of them.
        long useful = activity.Macs + activity.SkippedMacs;
        long nonZero = zeroOperandMacs is { } z ? Math.Clamp(useful - z, 0, activity.Macs) : activity.Macs;
        long zeros = activity.Macs - nonZero;
        (string multiplyEntry, double multiplyBits, string addEntry, double addBits, double operandBits) = pe.Arithmetic switch
        {
            // A mantissa product costs a multiplier of Lw × Li bits; its sum an accumulator-wide add.
            Arithmetic.Bfp => (EnergyEntryNames.IntegerMultiply, Math.Sqrt((double)bfp.Weights.MantissaBits * bfp.Inputs.MantissaBits),
                EnergyEntryNames.IntegerAdd, AccumulatorBits(layer, bfp), (bfp.Weights.MantissaBits + bfp.Inputs.MantissaBits) / 2.0),
            Arithmetic.Float16 => (EnergyEntryNames.HalfMultiply, 16, EnergyEntryNames.FloatAdd, 32, 16),
            Arithmetic.Float32 => (EnergyEntryNames.FloatMultiply, 32, EnergyEntryNames.FloatAdd, 32, 32),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };

        var actions = new List<PricedAction>
        {
            new("pe_array", "mac_multiply", nonZero, multiplyEntry, multiplyBits, 0),
            new("pe_array", "accumulate", nonZero, addEntry, addBits, 0),
        };

        if (pe.Dataflow == Dataflow.RowStationary)
        {
            // Row stationary keeps filter rows, ifmap rows and psums in each PE's register file: every read and write of
            // it (the reuse that defines the dataflow) is priced, and no operand hops through pipeline registers per MAC.
            actions.Add(new("pe_array", "register_file_access", activity.RegisterFileAccesses, EnergyEntryNames.RegisterAccess, operandBits, 0));
        }
        else
        {
            // Each MAC latches its two operands into the PE's pipeline registers (they hop one PE per cycle), zero or not.
            actions.Add(new("pe_array", "register_write", 2 * activity.Macs, EnergyEntryNames.RegisterAccess, operandBits, 0));
        }

        // Zero-operand MACs are listed on their own lines; a gated array does not spend arithmetic energy on them.
        if (zeros > 0 && pe.ZeroOperands == ZeroOperandPolicy.None)
        {
            actions.Add(new("pe_array", "mac_multiply_zero_operand", zeros, multiplyEntry, multiplyBits, 0));
            actions.Add(new("pe_array", "accumulate_zero_operand", zeros, addEntry, addBits, 0));
        }

        switch (pe.Arithmetic)
        {
            case Arithmetic.Bfp:
                actions.Add(new("bfp_converter", "input_convert", activity.InputConversions, EnergyEntryNames.BfpInputConvert, bfp.Inputs.MantissaBits, 0));

                // Finding each input block's shared exponent: a comparator tree of E-bit compares (priced as E-bit
                // adds, a compare being a subtraction), and the exponent latched for the block. This is where the
                // column-wise schemes pay for their many small blocks.
                actions.Add(new("bfp_converter", "exponent_compare", activity.ExponentComparisons, EnergyEntryNames.IntegerAdd, bfp.Inputs.ExponentBits, 0));
                actions.Add(new("bfp_converter", "exponent_write", activity.InputBlocks, EnergyEntryNames.RegisterAccess, bfp.Inputs.ExponentBits, 0));
                actions.Add(new("bfp_converter", "output_convert", activity.OutputConversions, EnergyEntryNames.BfpOutputConvert, 32, 0));
                break;
            case Arithmetic.Float16:
                // float32 feature maps are rounded to float16 on their way in: an exponent rebias and a rounding add, priced as a 16-bit add.
                actions.Add(new("fp16_converter", "input_convert", activity.InputConversions, EnergyEntryNames.IntegerAdd, 16, 0));
                break;
            case Arithmetic.Float32:
                break; // feature maps are float32 already
        }

        actions.Add(new("vector_unit", "fp32_op", activity.VectorOps, EnergyEntryNames.FloatAdd, 32, 0));
        actions.Add(Sram(buffers.Ifmap, "read", activity.IfmapReadWords));
        actions.Add(Sram(buffers.Ifmap, "write", activity.IfmapWriteWords));
        actions.Add(Sram(buffers.Weights, "read", activity.WeightReadWords));
        actions.Add(Sram(buffers.Weights, "write", activity.WeightWriteWords));
        actions.Add(Sram(buffers.Ofmap, "read", activity.OfmapReadWords));
        actions.Add(Sram(buffers.Ofmap, "write", activity.OfmapWriteWords));
        actions.Add(new("dram", "read_bit", activity.DramReadBytes * 8, EnergyEntryNames.DramAccess, 1, 0));
        actions.Add(new("dram", "write_bit", activity.DramWriteBytes * 8, EnergyEntryNames.DramAccess, 1, 0));

        // Static power, every cycle of the layer: per PE, per vector lane, and per bit of each buffer. DRAM's background
        // power is off-chip and not modelled.
        double clock = config.ClockMegahertz;
        actions.Add(new("pe_array", "leakage_pe_cycle", totalCycles * pe.PeCount, EnergyEntryNames.LogicLeakage, 1, 0, clock));
        actions.Add(new("vector_unit", "leakage_lane_cycle", totalCycles * config.VectorUnit.Lanes, EnergyEntryNames.LogicLeakage, 1, 0, clock));
        foreach (SramConfig sram in buffers.Physical)
        {
            actions.Add(new(sram.Name, "leakage_cycle", totalCycles, EnergyEntryNames.SramLeakage, sram.CapacityBytes * 8.0, 0, clock));
        }

        return actions;

        // An access activates one bank: it is priced at the bank's capacity (the table interpolates by capacity, so more,
        // smaller banks make each access cheaper). The parts of a unified buffer are priced as the unified buffer's banks.
        PricedAction Sram(SramConfig sram, string action, long words) =>
            new(sram.Name, $"{action}_word", words, EnergyEntryNames.SramAccess, sram.WordBits, (buffers.Unified ?? sram).BankCapacityBytes);
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
