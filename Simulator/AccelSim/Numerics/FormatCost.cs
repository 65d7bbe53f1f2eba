using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>What a layer's number format costs in storage and conversion (docs/mx-formats.md, "Storage and cost"): the
/// weights as stored, the input stream as converted, and the converter's work.</summary>
/// <param name="WeightElementBits">Weights: element (mantissa) bits.</param>
/// <param name="WeightScaleBits">Weights: shared exponent or scale bits.</param>
/// <param name="InputElementBits">Inputs as converted (the stored map under <c>tensor</c>, else the im2col stream): element bits.</param>
/// <param name="InputScaleBits">Inputs as converted: scale bits, one per block.</param>
/// <param name="InputBlocks">Input blocks formatted at run time, each a block maximum and a scale.</param>
/// <param name="MaxComparisons">Comparisons that find the input blocks' maxima (elements less one per block).</param>
/// <param name="LookAheadElements">Elements of a block the converter must see before it can emit the first.</param>
/// <param name="MultiplierBits">Operand width of one element multiplier (√ of the two operands' significand widths).</param>
/// <param name="AccumulatorBits">Width of the add each MAC makes (exact for the layer).</param>
public sealed record FormatCost(
    long WeightElementBits, long WeightScaleBits, long InputElementBits, long InputScaleBits, long InputBlocks, long MaxComparisons,
    long LookAheadElements, double MultiplierBits, int AccumulatorBits)
{
    /// <summary>Stored bits per weight, scales included (MXFP8: 8.25).</summary>
    public double WeightBitsPerElement(ConvShape g) => (double)(WeightElementBits + WeightScaleBits) / g.WeightLength;

    /// <summary>Scale bits over element bits, weights and inputs together.</summary>
    public double ScaleOverhead => (double)(WeightScaleBits + InputScaleBits) / (WeightElementBits + InputElementBits);

    /// <summary>The cost of <paramref name="g"/> under a layer's settings (BFP, or MX/NVFP4 through their storage equivalents).</summary>
    public static FormatCost Of(ConvShape g, BfpSettings s)
    {
        InputFormatting input = BfpCost.InputFormattingOf(g, s.InputPartition);
        long weightBlocks = BfpCost.WeightBlocks(g, s.WeightPartition);
        long k = g.Reduction;
        double multiplier = s.IsMx
            ? Math.Sqrt((double)s.WeightMx!.SignificandBits * s.InputMx!.SignificandBits)
            : Math.Sqrt((double)s.Weights.MantissaBits * s.Inputs.MantissaBits);
        int accumulator = s.AccumulatorBits ?? (s.IsMx
            ? (s.Mx.Accumulation == MxAccumulation.Fixed ? s.Mx.AccumulatorBits : MxFormat.BlockSumBits(s.WeightMx!, s.InputMx!))
            : (s.Weights.MantissaBits - 1) + (s.Inputs.MantissaBits - 1) + (int)Math.Ceiling(Math.Log2(Math.Max(1, k))) + 1);
        return new FormatCost(
            g.WeightLength * s.Weights.MantissaBits,
            weightBlocks * s.Weights.ExponentBits,
            input.Elements * s.Inputs.MantissaBits,
            input.Blocks * s.Inputs.ExponentBits,
            input.Blocks,
            input.ExponentComparisons,
            input.LookAheadElements,
            multiplier,
            accumulator);
    }
}
