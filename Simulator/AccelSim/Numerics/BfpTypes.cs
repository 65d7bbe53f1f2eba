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

    /// <summary>The weights' MX or NVFP4 format (docs/mx-formats.md); null when they are BFP. When set,
    /// <see cref="Weights"/> and <see cref="WeightPartition"/> hold its storage equivalent (an 8-bit shared field,
    /// element-wide mantissas, <c>group</c> of the block size), which is what storage, traffic and converters count.</summary>
    public MxFormat? WeightMx { get; init; }

    /// <summary>The inputs' MX or NVFP4 format; null when they are BFP (see <see cref="WeightMx"/>).</summary>
    public MxFormat? InputMx { get; init; }

    /// <summary>Rounding, scale rule and accumulation of the MX/NVFP4 datapath.</summary>
    public MxOptions Mx { get; init; } = MxOptions.Default;

    /// <summary>The BFP formats and partitions as declared, before an MX format's storage equivalent replaced them; null
    /// when nothing was replaced.</summary>
    public (BfpFormat Weights, BfpFormat Inputs, BlockPartition WeightPartition, BlockPartition InputPartition)? Declared { get; init; }

    /// <summary>Whether the layer runs the MX/NVFP4 datapath (both tensors in those formats).</summary>
    public bool IsMx => WeightMx is not null && InputMx is not null;

    /// <summary>These settings with the given tensor formats (null: BFP as declared). An MX tensor's
    /// <see cref="Weights"/>/<see cref="Inputs"/> and partition become its storage equivalent; a BFP tensor gets back
    /// the declared ones.</summary>
    public BfpSettings WithFormats(MxFormat? weights, MxFormat? inputs)
    {
        var declared = Declared ?? (Weights, Inputs, WeightPartition, InputPartition);
        if (weights is null && inputs is null)
        {
            return this with
            {
                Weights = declared.Weights, Inputs = declared.Inputs, WeightPartition = declared.WeightPartition, InputPartition = declared.InputPartition,
                WeightMx = null, InputMx = null, Declared = null,
            };
        }

        return this with
        {
            WeightMx = weights,
            InputMx = inputs,
            Declared = declared,
            Weights = weights?.StorageEquivalent ?? declared.Weights,
            Inputs = inputs?.StorageEquivalent ?? declared.Inputs,
            WeightPartition = weights is null ? declared.WeightPartition : BlockPartition.Group(weights.BlockSize),
            InputPartition = inputs is null ? declared.InputPartition : BlockPartition.Group(inputs.BlockSize),
        };
    }
}
