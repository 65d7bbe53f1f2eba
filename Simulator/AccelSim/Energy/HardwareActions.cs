using System.Collections.Immutable;
using AccelSim.Hardware;

namespace AccelSim.Energy;

/// <summary>Every action the energy model prices, declared once with its component, name, table entry, basis, the
/// statistic that counts it, its operand-width rule and the configs that have it: the hardware counts them,
/// <c>EnergyAccounting</c> prices every action of <see cref="Counted"/> the config has, and reports print their names.</summary>
/// <remarks>
/// <para>To add a counted action: let the component that performs it declare a <c>StatKey</c> and count it (registered
/// with <c>StatsRegistry.Register</c>), then declare its <see cref="ActionKey"/> here, naming that statistic as its
/// <see cref="ActionKey.Counter"/>, and list it in <see cref="Counted"/> where it should appear in <c>describe</c>.
/// If its entry is new, add the entry to <see cref="EnergyEntryNames"/> and to the energy tables. Nothing else lists
/// actions: the layer's activity holds every counter named here, and the accounting iterates <see cref="Counted"/>.
/// Only a new operand-width rule (<see cref="OperandWidth"/>) or condition (<see cref="ActionConditions"/>) needs code
/// in the accounting.</para>
/// <para>Static power (<see cref="ActionBasis.PerCycle"/>) is not counted by any component: the accounting charges it
/// every cycle for each PE, each vector lane and each buffer.</para>
/// </remarks>
public static class HardwareActions
{
    /// <summary>The arithmetic of a PE array that multiplies integer (BFP mantissa) operands.</summary>
    public static readonly ArrayActions IntegerArray = ArrayActions.Of(
        EnergyEntryNames.IntegerMultiply, OperandWidth.MantissaProduct, EnergyEntryNames.IntegerAdd, OperandWidth.Accumulator, ActionConditions.BfpArithmetic);

    /// <summary>The arithmetic of a float16 PE array (float32 accumulation).</summary>
    public static readonly ArrayActions HalfArray = ArrayActions.Of(
        EnergyEntryNames.HalfMultiply, OperandWidth.Float16, EnergyEntryNames.FloatAdd, OperandWidth.Float32, ActionConditions.Float16Arithmetic);

    /// <summary>The arithmetic of a float32 PE array.</summary>
    public static readonly ArrayActions FloatArray = ArrayActions.Of(
        EnergyEntryNames.FloatMultiply, OperandWidth.Float32, EnergyEntryNames.FloatAdd, OperandWidth.Float32, ActionConditions.Float32Arithmetic);

    /// <summary>A read or write of a PE's register file (row stationary).</summary>
    public static readonly ActionKey RegisterFileAccess = new(ComponentId.PeArray, "register_file_access", EnergyEntryNames.RegisterAccess)
    {
        Counter = new(ComputeEngine.RegisterFileAccesses), Width = OperandWidth.ArrayOperand, When = ActionConditions.RowStationary,
    };

    /// <summary>An operand latched into a PE's pipeline register (the systolic dataflows): each MAC latches its two
    /// operands (they hop one PE per cycle), zero or not.</summary>
    public static readonly ActionKey RegisterWrite = new(ComponentId.PeArray, "register_write", EnergyEntryNames.RegisterAccess)
    {
        Counter = new(ComputeEngine.Macs), PerCount = 2, Width = OperandWidth.ArrayOperand, When = ActionConditions.Systolic,
    };

    /// <summary>A float element converted to a BFP mantissa.</summary>
    public static readonly ActionKey BfpInputConvert = new(ComponentId.BfpConverter, "input_convert", EnergyEntryNames.BfpInputConvert)
    {
        Counter = new(ComputeEngine.InputConversions), Width = OperandWidth.InputMantissa, When = ActionConditions.BfpArithmetic,
    };

    /// <summary>An exponent compare while finding an input block's shared exponent (a compare is a subtraction, priced
    /// as an E-bit add). This is where the column-wise partitions pay for their many small blocks.</summary>
    public static readonly ActionKey ExponentCompare = new(ComponentId.BfpConverter, "exponent_compare", EnergyEntryNames.IntegerAdd)
    {
        Counter = new(ComputeEngine.ExponentComparisons, ComponentId.BfpConverter), Width = OperandWidth.InputExponent, When = ActionConditions.BfpArithmetic,
    };

    /// <summary>An input block's shared exponent latched.</summary>
    public static readonly ActionKey ExponentWrite = new(ComponentId.BfpConverter, "exponent_write", EnergyEntryNames.RegisterAccess)
    {
        Counter = new(ComputeEngine.InputBlocks, ComponentId.BfpConverter), Width = OperandWidth.InputExponent, When = ActionConditions.BfpArithmetic,
    };

    /// <summary>An accumulator value converted back to float32.</summary>
    public static readonly ActionKey BfpOutputConvert = new(ComponentId.BfpConverter, "output_convert", EnergyEntryNames.BfpOutputConvert)
    {
        Counter = new(ComputeEngine.OutputConversions), Width = OperandWidth.Float32, When = ActionConditions.BfpArithmetic,
    };

    /// <summary>NVFP4: the two FP8 E4M3 block scales of a block product multiplied, a 4 × 4-bit significand product (the
    /// area estimate's <c>scale_multiplier</c>). Its exponent add, and MX's E8M0 scale add, are a few-bit add folded into
    /// the accumulate (assumptions, docs/mx-formats.md).</summary>
    public static readonly ActionKey BlockScaleMultiply = new(ComponentId.PeArray, "nvfp4_block_scale_multiply", EnergyEntryNames.IntegerMultiply)
    {
        Counter = new(ComputeEngine.MxBlockProducts, ComponentId.PeArray), Width = OperandWidth.ScaleSignificand, When = ActionConditions.BfpArithmetic | ActionConditions.Nvfp4Scales,
    };

    /// <summary>NVFP4: a block's exact fixed-point sum multiplied by the block-scale product, before it is accumulated
    /// (an E8M0 scale is a power of two: MX formats shift instead, folded into the accumulate).</summary>
    public static readonly ActionKey BlockSumScale = new(ComponentId.PeArray, "nvfp4_block_sum_scale", EnergyEntryNames.IntegerMultiply)
    {
        Counter = new(ComputeEngine.MxBlockProducts, ComponentId.PeArray), Width = OperandWidth.BlockSumByScale, When = ActionConditions.BfpArithmetic | ActionConditions.Nvfp4Scales,
    };

    /// <summary>NVFP4: an output value multiplied by the product of the weights' and inputs' float32 per-tensor scales
    /// (that product is made once per layer and not priced).</summary>
    public static readonly ActionKey TensorScaleMultiply = new(ComponentId.PeArray, "nvfp4_tensor_scale_multiply", EnergyEntryNames.FloatMultiply)
    {
        Counter = new(ComputeEngine.MxOutputs, ComponentId.PeArray), Width = OperandWidth.Float32, When = ActionConditions.BfpArithmetic | ActionConditions.Nvfp4Scales,
    };

    /// <summary>MX/NVFP4 with float32 accumulation: a block product, rounded to float32, added to the float32
    /// accumulator (the adds inside a block are the MACs' accumulates).</summary>
    public static readonly ActionKey Fp32BlockAccumulate = new(ComponentId.PeArray, "mx_fp32_block_accumulate", EnergyEntryNames.FloatAdd)
    {
        Counter = new(ComputeEngine.MxBlockProducts, ComponentId.PeArray), Width = OperandWidth.Float32, When = ActionConditions.BfpArithmetic | ActionConditions.MxFloatAccumulation,
    };

    /// <summary>A float32 element rounded to float16 on its way into a float16 array: an exponent rebias and a rounding
    /// add, priced as an integer add.</summary>
    public static readonly ActionKey Fp16InputConvert = new(ComponentId.Fp16Converter, "input_convert", EnergyEntryNames.IntegerAdd)
    {
        Counter = new(ComputeEngine.InputConversions), Width = OperandWidth.Float16, When = ActionConditions.Float16Arithmetic,
    };

    /// <summary>A float32 operation on the vector unit (or fused into the PE array's output).</summary>
    public static readonly ActionKey VectorOp = new(ComponentId.VectorUnit, "fp32_op", EnergyEntryNames.FloatAdd)
    {
        Counter = new(ComputeEngine.VectorOps), Width = OperandWidth.Float32,
    };

    /// <summary>A word the engine read from the ifmap buffer.</summary>
    public static readonly ActionKey IfmapReadWord = SramWord(ComponentId.Ifmap, "read_word", new(ComputeEngine.IfmapReadWords, ComponentId.Ifmap));

    /// <summary>A word a DRAM fill wrote into the ifmap buffer.</summary>
    public static readonly ActionKey IfmapWriteWord = SramWord(ComponentId.Ifmap, "write_word", new(TileLoader.WriteWords, ComponentId.Ifmap));

    /// <summary>A word the engine read from the weight buffer.</summary>
    public static readonly ActionKey WeightReadWord = SramWord(ComponentId.Weights, "read_word", new(ComputeEngine.WeightReadWords));

    /// <summary>A word a DRAM fill wrote into the weight buffer.</summary>
    public static readonly ActionKey WeightWriteWord = SramWord(ComponentId.Weights, "write_word", new(TileLoader.WriteWords, ComponentId.Weights));

    /// <summary>A word read out of the output buffer (a drain to DRAM, or a partial sum to add to).</summary>
    public static readonly ActionKey OfmapReadWord = SramWord(ComponentId.Ofmap, "read_word", new(OutputBuffer.ReadWords, ComponentId.Ofmap));

    /// <summary>A word of results (or partial sums) written into the output buffer.</summary>
    public static readonly ActionKey OfmapWriteWord = SramWord(ComponentId.Ofmap, "write_word", new(OutputBuffer.WriteWords, ComponentId.Ofmap));

    /// <summary>A bit read from DRAM.</summary>
    public static readonly ActionKey DramReadBit = new(ComponentId.Dram, "read_bit", EnergyEntryNames.DramAccess, ActionBasis.PerBit)
    {
        Counter = new(DramChannel.ReadBytes, ComponentId.Dram), PerCount = 8,
    };

    /// <summary>A bit written to DRAM.</summary>
    public static readonly ActionKey DramWriteBit = new(ComponentId.Dram, "write_bit", EnergyEntryNames.DramAccess, ActionBasis.PerBit)
    {
        Counter = new(DramChannel.WriteBytes, ComponentId.Dram), PerCount = 8,
    };

    /// <summary>A bit of a feature map the zero decompressor rebuilt on its way from DRAM into the ifmap buffer: priced as
    /// a one-bit register write (each bit is shifted once through the unpacking register; the zero-run counter and the
    /// zero detect are a few bits beside a word, an assumption, docs/memory.md).</summary>
    public static readonly ActionKey DecompressBit = new(ComponentId.Ifmap, "decompress_bit", EnergyEntryNames.RegisterAccess)
    {
        Counter = new(TileLoader.DecompressedBytes, ComponentId.Ifmap), PerCount = 8, When = ActionConditions.ZeroCompression,
    };

    /// <summary>A bit of a feature map the zero compressor packed on its way from the output buffer to DRAM, priced as
    /// <see cref="DecompressBit"/> is.</summary>
    public static readonly ActionKey CompressBit = new(ComponentId.Ofmap, "compress_bit", EnergyEntryNames.RegisterAccess)
    {
        Counter = new(OutputBuffer.CompressedBytes, ComponentId.Ofmap), PerCount = 8, When = ActionConditions.ZeroCompression,
    };

    /// <summary>One PE's static power for one cycle.</summary>
    public static readonly ActionKey PeLeakage = new(ComponentId.PeArray, "leakage_pe_cycle", EnergyEntryNames.LogicLeakage, ActionBasis.PerCycle);

    /// <summary>One vector lane's static power for one cycle.</summary>
    public static readonly ActionKey LaneLeakage = new(ComponentId.VectorUnit, "leakage_lane_cycle", EnergyEntryNames.LogicLeakage, ActionBasis.PerCycle);

    /// <summary>Every counted action, in the order the accounting lists them (and <c>describe</c> prints them): the
    /// array's arithmetic and registers, the converters, the vector unit, the buffers and DRAM.</summary>
    public static ImmutableArray<ActionKey> Counted { get; } =
    [
        IntegerArray.Multiply, HalfArray.Multiply, FloatArray.Multiply,
        IntegerArray.Accumulate, HalfArray.Accumulate, FloatArray.Accumulate,
        RegisterFileAccess, RegisterWrite,
        IntegerArray.MultiplyZeroOperand, HalfArray.MultiplyZeroOperand, FloatArray.MultiplyZeroOperand,
        IntegerArray.AccumulateZeroOperand, HalfArray.AccumulateZeroOperand, FloatArray.AccumulateZeroOperand,
        BlockScaleMultiply, BlockSumScale, TensorScaleMultiply, Fp32BlockAccumulate,
        BfpInputConvert, ExponentCompare, ExponentWrite, BfpOutputConvert, Fp16InputConvert,
        VectorOp,
        IfmapReadWord, IfmapWriteWord, WeightReadWord, WeightWriteWord, OfmapReadWord, OfmapWriteWord,
        DramReadBit, DramWriteBit,
        DecompressBit, CompressBit,
    ];

    /// <summary>The MACs a skipping array left out: the shares of <see cref="OperandShare"/> read them, because numerics
    /// count zero-operand MACs over all the layer's MACs, performed or skipped.</summary>
    public static readonly ActionCounter SkippedMacs = new(ComputeEngine.SkippedMacs);

    /// <summary>Every statistic the accounting reads, each once: each counted action's, in the order of
    /// <see cref="Counted"/>, then <see cref="SkippedMacs"/>.</summary>
    public static ImmutableArray<ActionCounter> Counters { get; } = [.. Counted.Select(k => k.Counter!).Append(SkippedMacs).Distinct()];

    /// <summary>The whole buffer <paramref name="buffer"/>'s static power for one cycle.</summary>
    public static ActionKey SramLeakage(ComponentId buffer) => new(buffer, "leakage_cycle", EnergyEntryNames.SramLeakage, ActionBasis.PerCycle);

    /// <summary>A word access of the buffer <paramref name="buffer"/>, counted by <paramref name="counter"/>.</summary>
    private static ActionKey SramWord(ComponentId buffer, string name, ActionCounter counter) =>
        new(buffer, name, EnergyEntryNames.SramAccess) { Counter = counter, Width = OperandWidth.SramWord };
}

/// <summary>The multiply-accumulate actions of a PE array of one arithmetic: what a MAC with nonzero operands costs, and
/// what one with a zero operand costs in an array that does not gate it (listed on lines of their own).</summary>
/// <param name="Multiply">The multiply of a MAC.</param>
/// <param name="Accumulate">The accumulation of a MAC.</param>
/// <param name="MultiplyZeroOperand">The multiply of a MAC with a zero operand.</param>
/// <param name="AccumulateZeroOperand">The accumulation of a MAC with a zero operand.</param>
public sealed record ArrayActions(ActionKey Multiply, ActionKey Accumulate, ActionKey MultiplyZeroOperand, ActionKey AccumulateZeroOperand)
{
    /// <summary>The four actions of an array of the arithmetic <paramref name="arithmetic"/>, whose multiplier and adder
    /// the entries <paramref name="multiplyEntry"/> and <paramref name="addEntry"/> price at the widths the rules
    /// <paramref name="multiplyWidth"/> and <paramref name="addWidth"/> give. Each counts the engine's MACs.</summary>
    public static ArrayActions Of(string multiplyEntry, OperandWidth multiplyWidth, string addEntry, OperandWidth addWidth, ActionConditions arithmetic)
    {
        ActionKey Mac(string name, string entry, OperandWidth width, OperandShare share) => new(ComponentId.PeArray, name, entry)
        {
            Counter = new(ComputeEngine.Macs),
            Share = share,
            Width = width,
            When = share == OperandShare.ZeroOperand ? arithmetic | ActionConditions.UngatedZeroOperands : arithmetic,
        };

        return new(
            Mac("mac_multiply", multiplyEntry, multiplyWidth, OperandShare.NonZero),
            Mac("accumulate", addEntry, addWidth, OperandShare.NonZero),
            Mac("mac_multiply_zero_operand", multiplyEntry, multiplyWidth, OperandShare.ZeroOperand),
            Mac("accumulate_zero_operand", addEntry, addWidth, OperandShare.ZeroOperand));
    }
}
