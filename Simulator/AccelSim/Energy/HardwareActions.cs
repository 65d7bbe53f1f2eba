using AccelSim.Hardware;

namespace AccelSim.Energy;

/// <summary>Every action the energy model prices, declared once: the hardware counts them, <c>EnergyAccounting</c>
/// chooses each one's table entry and width, and reports print their names.</summary>
public static class HardwareActions
{
    /// <summary>A MAC's multiply with no zero operand (or any multiply when zeros are unknown).</summary>
    public static readonly ActionKey MacMultiply = new(ComponentId.PeArray, "mac_multiply");

    /// <summary>A MAC's accumulation with no zero operand.</summary>
    public static readonly ActionKey Accumulate = new(ComponentId.PeArray, "accumulate");

    /// <summary>A multiply with a zero operand in an array that does not gate it.</summary>
    public static readonly ActionKey MacMultiplyZeroOperand = new(ComponentId.PeArray, "mac_multiply_zero_operand");

    /// <summary>An accumulation of a zero product in an array that does not gate it.</summary>
    public static readonly ActionKey AccumulateZeroOperand = new(ComponentId.PeArray, "accumulate_zero_operand");

    /// <summary>A read or write of a PE's register file (row stationary).</summary>
    public static readonly ActionKey RegisterFileAccess = new(ComponentId.PeArray, "register_file_access");

    /// <summary>An operand latched into a PE's pipeline register (the systolic dataflows).</summary>
    public static readonly ActionKey RegisterWrite = new(ComponentId.PeArray, "register_write");

    /// <summary>A float element converted to a BFP mantissa.</summary>
    public static readonly ActionKey BfpInputConvert = new(ComponentId.BfpConverter, "input_convert");

    /// <summary>An exponent compare while finding an input block's shared exponent.</summary>
    public static readonly ActionKey ExponentCompare = new(ComponentId.BfpConverter, "exponent_compare");

    /// <summary>An input block's shared exponent latched.</summary>
    public static readonly ActionKey ExponentWrite = new(ComponentId.BfpConverter, "exponent_write");

    /// <summary>An accumulator value converted back to float32.</summary>
    public static readonly ActionKey BfpOutputConvert = new(ComponentId.BfpConverter, "output_convert");

    /// <summary>A float32 element rounded to float16 on its way into a float16 array.</summary>
    public static readonly ActionKey Fp16InputConvert = new(ComponentId.Fp16Converter, "input_convert");

    /// <summary>A float32 operation on the vector unit.</summary>
    public static readonly ActionKey VectorOp = new(ComponentId.VectorUnit, "fp32_op");

    /// <summary>A bit read from DRAM.</summary>
    public static readonly ActionKey DramReadBit = new(ComponentId.Dram, "read_bit", ActionBasis.PerBit);

    /// <summary>A bit written to DRAM.</summary>
    public static readonly ActionKey DramWriteBit = new(ComponentId.Dram, "write_bit", ActionBasis.PerBit);

    /// <summary>One PE's static power for one cycle.</summary>
    public static readonly ActionKey PeLeakage = new(ComponentId.PeArray, "leakage_pe_cycle", ActionBasis.PerCycle);

    /// <summary>One vector lane's static power for one cycle.</summary>
    public static readonly ActionKey LaneLeakage = new(ComponentId.VectorUnit, "leakage_lane_cycle", ActionBasis.PerCycle);

    /// <summary>A word read from the buffer <paramref name="buffer"/>.</summary>
    public static ActionKey SramReadWord(ComponentId buffer) => new(buffer, "read_word");

    /// <summary>A word written into the buffer <paramref name="buffer"/>.</summary>
    public static ActionKey SramWriteWord(ComponentId buffer) => new(buffer, "write_word");

    /// <summary>The whole buffer <paramref name="buffer"/>'s static power for one cycle.</summary>
    public static ActionKey SramLeakage(ComponentId buffer) => new(buffer, "leakage_cycle", ActionBasis.PerCycle);
}
