using System.Collections.Immutable;

namespace AccelSim.Energy;

/// <summary>The energy-table entries the energy model prices actions with. A table lacking any of them is invalid.</summary>
public static class EnergyEntryNames
{
    /// <summary>Integer multiply (mantissa × mantissa); scales with operand width.</summary>
    public const string IntegerMultiply = "int_mult";

    /// <summary>Integer add (accumulator update); scales with accumulator width.</summary>
    public const string IntegerAdd = "int_add";

    /// <summary>float32 add or compare (pooling, residual add, ReLU on the vector unit).</summary>
    public const string FloatAdd = "fp32_add";

    /// <summary>float32 multiply (output scaling by the block steps).</summary>
    public const string FloatMultiply = "fp32_mult";

    /// <summary>One SRAM access (read or write) of one word; by capacity, scales with word width.</summary>
    public const string SramAccess = "sram_access";

    /// <summary>DRAM access; scales with the bits moved.</summary>
    public const string DramAccess = "dram_access";

    /// <summary>Converting one float element into a BFP mantissa (exponent compare and shift).</summary>
    public const string BfpInputConvert = "bfp_input_convert";

    /// <summary>Converting one accumulator value back to float32 (normalise).</summary>
    public const string BfpOutputConvert = "bfp_output_convert";

    /// <summary>float16 multiply (the PE multiplier of a float16 array).</summary>
    public const string HalfMultiply = "fp16_mult";

    /// <summary>float16 add.</summary>
    public const string HalfAdd = "fp16_add";

    /// <summary>A write of a PE's operand pipeline register (operands hop one PE per cycle); scales with bits.</summary>
    public const string RegisterAccess = "register_access";

    /// <summary>Static power of SRAM, per <see cref="EnergyEntry.ReferenceBits"/> of capacity (microwatts).</summary>
    public const string SramLeakage = "leakage_sram";

    /// <summary>Static power of one PE (or one vector lane), microwatts.</summary>
    public const string LogicLeakage = "leakage_logic";

    /// <summary>Every entry a table must have, sorted ordinally.</summary>
    public static ImmutableArray<string> Required { get; } =
    [
        BfpInputConvert, BfpOutputConvert, DramAccess, HalfAdd, HalfMultiply, FloatAdd, FloatMultiply, IntegerAdd, IntegerMultiply,
        LogicLeakage, SramLeakage, RegisterAccess, SramAccess,
    ];
}
