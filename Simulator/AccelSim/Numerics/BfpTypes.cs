namespace AccelSim.Numerics;

/// <summary>How a value is rounded to an integer mantissa (docs/numerics.md, converting a block, step 5).</summary>
public enum RoundingMode
{
    NearestEven,
    TowardZero,
    TowardPositive,
    TowardNegative,
    Stochastic,
}

/// <summary>Which elements of a matrix share one exponent.</summary>
public enum PartitionKind
{
    Tensor,
    Row,
    Column,
    Group,
}

/// <summary>A block partition of W or I; <see cref="GroupSize"/> is used only by <see cref="PartitionKind.Group"/>.</summary>
public readonly record struct BlockPartition(PartitionKind Kind, int GroupSize)
{
    public static BlockPartition Tensor => new(PartitionKind.Tensor, 0);

    public static BlockPartition Row => new(PartitionKind.Row, 0);

    public static BlockPartition Column => new(PartitionKind.Column, 0);

    public static BlockPartition Group(int size) => new(PartitionKind.Group, size);
}

/// <summary>The format bfp(E, L): E-bit shared exponent, L-bit sign-magnitude mantissa (sign included).</summary>
/// <remarks>Range: 2 ≤ E ≤ 8, 2 ≤ L ≤ 24. Shared exponents run from 1 − b to b with bias b = 2^(E−1) − 1.</remarks>
public sealed record BfpFormat(int ExponentBits, int MantissaBits)
{
    public int ExponentBits { get; } = ExponentBits is >= 2 and <= 8
        ? ExponentBits
        : throw new ArgumentOutOfRangeException(nameof(ExponentBits), ExponentBits, "exponent bits must be 2..8");

    public int MantissaBits { get; } = MantissaBits is >= 2 and <= 24
        ? MantissaBits
        : throw new ArgumentOutOfRangeException(nameof(MantissaBits), MantissaBits, "mantissa bits must be 2..24");

    public int Bias => (1 << (ExponentBits - 1)) - 1;

    public int MinExponent => 1 - Bias;

    public int MaxExponent => Bias;

    /// <summary>Q: the largest mantissa magnitude; the range is symmetric, [−Q, Q].</summary>
    public int MaxMantissa => (1 << (MantissaBits - 1)) - 1;
}

/// <summary>Everything the BFP datapath of one layer needs to know.</summary>
public sealed record BfpSettings(
    BfpFormat Weights,
    BfpFormat Inputs,
    BlockPartition WeightPartition,
    BlockPartition InputPartition,
    RoundingMode Rounding,
    int? AccumulatorBits,
    ulong StochasticSeed)
{
    /// <summary>An optional storage format of the bias: when set, the layer's bias vector is first converted to BFP as
    /// one block (stored as the accelerator would store it), then quantized into the accumulator as docs/numerics.md says.
    /// Null (the default, and the spec's datapath): the float32 bias goes straight into the accumulator.</summary>
    public BfpFormat? Bias { get; init; }
}
