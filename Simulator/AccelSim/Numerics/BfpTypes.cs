namespace AccelSim.Numerics;

/// <summary>How a value is rounded to an integer mantissa (BFP-SPEC step 5).</summary>
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
public sealed record BfpFormat(int ExponentBits, int MantissaBits);

/// <summary>Everything the BFP datapath of one layer needs to know.</summary>
public sealed record BfpSettings(
    BfpFormat Weights,
    BfpFormat Inputs,
    BlockPartition WeightPartition,
    BlockPartition InputPartition,
    RoundingMode Rounding,
    int? AccumulatorBits,
    ulong StochasticSeed);
