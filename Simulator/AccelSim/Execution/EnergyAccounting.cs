using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Turns a layer's counted activity into the priced actions of each component.</summary>
public static class EnergyAccounting
{
    public static EnergyBreakdown Price(Layer layer, ActivityCounts activity, AcceleratorConfig config) =>
        EnergyModel.Price(Actions(layer, activity, config), config.Energy);

    /// <summary>Each component's actions in <paramref name="activity"/>, with the table entry and operand width that price them.</summary>
    public static IReadOnlyList<PricedAction> Actions(Layer layer, ActivityCounts activity, AcceleratorConfig config)
    {
        var bfp = config.Bfp;
        double weightBits = bfp.Weights.MantissaBits;
        double inputBits = bfp.Inputs.MantissaBits;
        var buffers = config.Buffers;
        PricedAction[] actions =
        [
            // A mantissa product costs a multiplier of Lw × Li bits; its sum an accumulator-wide add.
            new("pe_array", "mac_multiply", activity.Macs, EnergyEntryNames.IntegerMultiply, Math.Sqrt(weightBits * inputBits), 0),
            new("pe_array", "accumulate", activity.Macs, EnergyEntryNames.IntegerAdd, AccumulatorBits(layer, config), 0),
            new("bfp_converter", "input_convert", activity.InputConversions, EnergyEntryNames.BfpInputConvert, inputBits, 0),
            new("bfp_converter", "output_convert", activity.OutputConversions, EnergyEntryNames.BfpOutputConvert, 32, 0),
            new("vector_unit", "fp32_op", activity.VectorOps, EnergyEntryNames.FloatAdd, 32, 0),
            Sram(buffers.Ifmap, "read", activity.IfmapReadWords),
            Sram(buffers.Ifmap, "write", activity.IfmapWriteWords),
            Sram(buffers.Weights, "read", activity.WeightReadWords),
            Sram(buffers.Weights, "write", activity.WeightWriteWords),
            Sram(buffers.Ofmap, "read", activity.OfmapReadWords),
            Sram(buffers.Ofmap, "write", activity.OfmapWriteWords),
            new("dram", "read_bit", activity.DramReadBytes * 8, EnergyEntryNames.DramAccess, 1, 0),
            new("dram", "write_bit", activity.DramWriteBytes * 8, EnergyEntryNames.DramAccess, 1, 0),
        ];
        return actions;

        static PricedAction Sram(SramConfig sram, string action, long words) =>
            new(sram.Name, $"{action}_word", words, EnergyEntryNames.SramAccess, sram.WordBits, sram.CapacityBytes);
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
