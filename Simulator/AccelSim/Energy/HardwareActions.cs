using AccelSim.Hardware;

namespace AccelSim.Energy;

/// <summary>Every action the energy model prices, declared once with its component, name, table entry and basis: the
/// hardware counts them, <c>EnergyAccounting</c> adds each count and operand width, and reports print their names.</summary>
public static class HardwareActions
{
    /// <summary>The arithmetic of a PE array that multiplies integer (BFP mantissa) operands.</summary>
    public static readonly ArrayActions IntegerArray = ArrayActions.Of(EnergyEntryNames.IntegerMultiply, EnergyEntryNames.IntegerAdd);

    /// <summary>The arithmetic of a float16 PE array (float32 accumulation).</summary>
    public static readonly ArrayActions HalfArray = ArrayActions.Of(EnergyEntryNames.HalfMultiply, EnergyEntryNames.FloatAdd);

    /// <summary>The arithmetic of a float32 PE array.</summary>
    public static readonly ArrayActions FloatArray = ArrayActions.Of(EnergyEntryNames.FloatMultiply, EnergyEntryNames.FloatAdd);

    /// <summary>A read or write of a PE's register file (row stationary).</summary>
    public static readonly ActionKey RegisterFileAccess = new(ComponentId.PeArray, "register_file_access", EnergyEntryNames.RegisterAccess);

    /// <summary>An operand latched into a PE's pipeline register (the systolic dataflows).</summary>
    public static readonly ActionKey RegisterWrite = new(ComponentId.PeArray, "register_write", EnergyEntryNames.RegisterAccess);

    /// <summary>A float element converted to a BFP mantissa.</summary>
    public static readonly ActionKey BfpInputConvert = new(ComponentId.BfpConverter, "input_convert", EnergyEntryNames.BfpInputConvert);

    /// <summary>An exponent compare while finding an input block's shared exponent (a compare is a subtraction).</summary>
    public static readonly ActionKey ExponentCompare = new(ComponentId.BfpConverter, "exponent_compare", EnergyEntryNames.IntegerAdd);

    /// <summary>An input block's shared exponent latched.</summary>
    public static readonly ActionKey ExponentWrite = new(ComponentId.BfpConverter, "exponent_write", EnergyEntryNames.RegisterAccess);

    /// <summary>An accumulator value converted back to float32.</summary>
    public static readonly ActionKey BfpOutputConvert = new(ComponentId.BfpConverter, "output_convert", EnergyEntryNames.BfpOutputConvert);

    /// <summary>A float32 element rounded to float16 on its way into a float16 array: an exponent rebias and a rounding
    /// add, priced as an integer add.</summary>
    public static readonly ActionKey Fp16InputConvert = new(ComponentId.Fp16Converter, "input_convert", EnergyEntryNames.IntegerAdd);

    /// <summary>A float32 operation on the vector unit.</summary>
    public static readonly ActionKey VectorOp = new(ComponentId.VectorUnit, "fp32_op", EnergyEntryNames.FloatAdd);

    /// <summary>A bit read from DRAM.</summary>
    public static readonly ActionKey DramReadBit = new(ComponentId.Dram, "read_bit", EnergyEntryNames.DramAccess, ActionBasis.PerBit);

    /// <summary>A bit written to DRAM.</summary>
    public static readonly ActionKey DramWriteBit = new(ComponentId.Dram, "write_bit", EnergyEntryNames.DramAccess, ActionBasis.PerBit);

    /// <summary>One PE's static power for one cycle.</summary>
    public static readonly ActionKey PeLeakage = new(ComponentId.PeArray, "leakage_pe_cycle", EnergyEntryNames.LogicLeakage, ActionBasis.PerCycle);

    /// <summary>One vector lane's static power for one cycle.</summary>
    public static readonly ActionKey LaneLeakage = new(ComponentId.VectorUnit, "leakage_lane_cycle", EnergyEntryNames.LogicLeakage, ActionBasis.PerCycle);

    /// <summary>A word read from the buffer <paramref name="buffer"/>.</summary>
    public static ActionKey SramReadWord(ComponentId buffer) => new(buffer, "read_word", EnergyEntryNames.SramAccess);

    /// <summary>A word written into the buffer <paramref name="buffer"/>.</summary>
    public static ActionKey SramWriteWord(ComponentId buffer) => new(buffer, "write_word", EnergyEntryNames.SramAccess);

    /// <summary>The whole buffer <paramref name="buffer"/>'s static power for one cycle.</summary>
    public static ActionKey SramLeakage(ComponentId buffer) => new(buffer, "leakage_cycle", EnergyEntryNames.SramLeakage, ActionBasis.PerCycle);
}

/// <summary>The multiply-accumulate actions of a PE array of one arithmetic: what a MAC with nonzero operands costs, and
/// what one with a zero operand costs in an array that does not gate it (listed on lines of their own).</summary>
/// <param name="Multiply">The multiply of a MAC.</param>
/// <param name="Accumulate">The accumulation of a MAC.</param>
/// <param name="MultiplyZeroOperand">The multiply of a MAC with a zero operand.</param>
/// <param name="AccumulateZeroOperand">The accumulation of a MAC with a zero operand.</param>
public sealed record ArrayActions(ActionKey Multiply, ActionKey Accumulate, ActionKey MultiplyZeroOperand, ActionKey AccumulateZeroOperand)
{
    /// <summary>The four actions of an array whose multiplier and adder the entries <paramref name="multiplyEntry"/>
    /// and <paramref name="addEntry"/> price.</summary>
    public static ArrayActions Of(string multiplyEntry, string addEntry) => new(
        new(ComponentId.PeArray, "mac_multiply", multiplyEntry),
        new(ComponentId.PeArray, "accumulate", addEntry),
        new(ComponentId.PeArray, "mac_multiply_zero_operand", multiplyEntry),
        new(ComponentId.PeArray, "accumulate_zero_operand", addEntry));
}
