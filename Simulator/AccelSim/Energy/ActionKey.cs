using AccelSim.Hardware;
using AccelSim.Statistics;

namespace AccelSim.Energy;

/// <summary>What one count of a priced action is.</summary>
public enum ActionBasis
{
    /// <summary>One action (an access, an operation, a conversion).</summary>
    PerAction,

    /// <summary>One bit moved.</summary>
    PerBit,

    /// <summary>One cycle of one unit's static power (leakage), priced at the configured clock.</summary>
    PerCycle,
}

/// <summary>The typed name of an action the energy model prices: the component that performs it, its stable name in
/// reports and <c>describe</c>, the energy-table entry that prices it, and what one count of it is. Declared once, in
/// <see cref="HardwareActions"/>, with the statistic that counts it and the rule for its operand width; the accounting
/// reads the count, applies the rule and prices the result.</summary>
/// <param name="Component">The component that performs the action.</param>
/// <param name="Name">The action's stable lower-case name, for example <c>mac_multiply</c>.</param>
/// <param name="Entry">The energy-table entry that prices one action (one of <see cref="EnergyEntryNames"/>).</param>
/// <param name="Basis">What one count of the action is; <see cref="ActionBasis.PerCycle"/> marks static power.</param>
public sealed record ActionKey(ComponentId Component, string Name, string Entry, ActionBasis Basis = ActionBasis.PerAction)
{
    /// <summary>The statistic whose value counts the action; null for static power, which is priced per cycle for each
    /// unit the config has.</summary>
    public ActionCounter? Counter { get; init; }

    /// <summary>Actions per unit of <see cref="Counter"/> (8 bits per byte moved, 2 operand latches per MAC); at least 1.</summary>
    public int PerCount { get; init; } = 1;

    /// <summary>Which of the counted MACs the action prices, when numerics know how many had a zero operand.</summary>
    public OperandShare Share { get; init; } = OperandShare.All;

    /// <summary>How wide the action's operand is: a rule the accounting evaluates for the config and layer.</summary>
    public OperandWidth Width { get; init; } = OperandWidth.OneBit;

    /// <summary>What the config must be for the action to exist (all of the flags); <see cref="ActionConditions.Always"/>
    /// when every config has it.</summary>
    public ActionConditions When { get; init; } = ActionConditions.Always;

    /// <summary>True for static power (leakage): the action counts unit-cycles, not work done.</summary>
    public bool IsLeakage => Basis == ActionBasis.PerCycle;

    /// <summary><c>component.name</c>, for messages.</summary>
    public override string ToString() => $"{Component.Path}.{Name}";
}

/// <summary>A statistic a layer's activity holds: the counter <paramref name="Key"/> declares, registered under
/// <paramref name="Component"/>.</summary>
/// <param name="Key">The statistic, as the component that counts it declares it.</param>
/// <param name="Component">The component it is registered under; null: the layer's compute engine (the PE array or
/// the vector unit, whichever ran the layer).</param>
public sealed record ActionCounter(StatKey Key, ComponentId? Component = null)
{
    /// <summary><c>component.name</c>, with <c>engine</c> for the layer's compute engine.</summary>
    public override string ToString() => Key.PathUnder(Component?.Path ?? "engine");
}

/// <summary>Which MACs of a count an action prices.</summary>
public enum OperandShare
{
    /// <summary>Every counted MAC, zero operand or not.</summary>
    All,

    /// <summary>The MACs whose operands are both nonzero (all of them when numerics did not run).</summary>
    NonZero,

    /// <summary>The MACs with a zero operand (none when numerics did not run).</summary>
    ZeroOperand,
}

/// <summary>The rule that gives an action's operand width (and, for memories, the capacity that prices an access).</summary>
public enum OperandWidth
{
    /// <summary>One bit: DRAM bits, and the static power of one PE or lane.</summary>
    OneBit,

    /// <summary>A float16 value.</summary>
    Float16,

    /// <summary>A float32 value.</summary>
    Float32,

    /// <summary>A BFP mantissa product: √(Lw·Li) bits (a multiplier of Lw × Li bits).</summary>
    MantissaProduct,

    /// <summary>The BFP accumulator: as configured, or wide enough for any sum of the layer when exact.</summary>
    Accumulator,

    /// <summary>One operand of the PE array: the mean BFP mantissa width, or the float width.</summary>
    ArrayOperand,

    /// <summary>A BFP input mantissa.</summary>
    InputMantissa,

    /// <summary>A BFP input exponent.</summary>
    InputExponent,

    /// <summary>The significand of NVFP4's FP8 E4M3 block scale: 3 mantissa bits and the implicit one.</summary>
    ScaleSignificand,

    /// <summary>NVFP4: a block's exact sum times its block-scale product, √(block-sum bits × scale-product bits) (a
    /// multiplier of those widths).</summary>
    BlockSumByScale,

    /// <summary>A word of the buffer the action's component names, priced at the capacity of one bank; the line is
    /// the configured buffer's.</summary>
    SramWord,
}

/// <summary>Facts about a config that decide whether an action exists in it.</summary>
[Flags]
public enum ActionConditions
{
    /// <summary>Every config has the action.</summary>
    Always = 0,

    /// <summary>The PE array multiplies BFP mantissas (integers) and has BFP converters.</summary>
    BfpArithmetic = 1,

    /// <summary>The PE array multiplies float16 and has float16 input converters.</summary>
    Float16Arithmetic = 2,

    /// <summary>The PE array multiplies float32.</summary>
    Float32Arithmetic = 4,

    /// <summary>The row-stationary dataflow: operands live in each PE's register file.</summary>
    RowStationary = 8,

    /// <summary>A systolic dataflow: operands hop through the PEs' pipeline registers.</summary>
    Systolic = 16,

    /// <summary>The array spends arithmetic on MACs with a zero operand (it neither gates nor skips them).</summary>
    UngatedZeroOperands = 32,

    /// <summary>The layer's weights or inputs are NVFP4: E4M3 block scales and float32 per-tensor scales.</summary>
    Nvfp4Scales = 64,

    /// <summary>The layer is MX/NVFP4 with float32 accumulation: each block product is added in float32.</summary>
    MxFloatAccumulation = 128,

    /// <summary>Feature maps are zero-compressed in DRAM (the config's <c>activation_compression</c>, or the layer's
    /// codec counted work): the compressor and decompressor exist.</summary>
    ZeroCompression = 256,
}
