using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>A layer's weights converted to BFP once, offline: mantissas [OutChannels × K] and block step exponents.</summary>
public sealed class QuantizedWeights
{
    internal QuantizedWeights(ConvShape geometry, BfpFormat format, BlockPartition partition, short[]? narrow, int[]? wide, int[] stepExponents, long saturations, double stepPower, double signalPower)
    {
        StepPower = stepPower;
        SignalPower = signalPower;
        Geometry = geometry;
        Format = format;
        Partition = partition;
        Narrow = narrow;
        Wide = wide;
        StepExponents = stepExponents;
        Saturations = saturations;
        _packed = new Lazy<(sbyte[], long[])>(() => IntegerGemm.PackWeights(Narrow!, Geometry.OutChannels, Geometry.Reduction, Geometry.KernelHeight * Geometry.KernelWidth));
    }

    private readonly Lazy<(sbyte[] Bytes, long[] RowSums)> _packed;

    /// <summary>The mantissas as signed bytes, rows padded for <see cref="IntegerGemm"/>, and each row's Σ w: made the
    /// first time a datapath asks (only for mantissas within ±127), then kept with the weights for every input.</summary>
    internal (sbyte[] Bytes, long[] RowSums) Packed => _packed.Value;

    public ConvShape Geometry { get; }

    public BfpFormat Format { get; }

    public BlockPartition Partition { get; }

    /// <summary>Mantissas when L ≤ 16, else null.</summary>
    internal short[]? Narrow { get; }

    /// <summary>Mantissas when L &gt; 16, else null.</summary>
    internal int[]? Wide { get; }

    /// <summary>log2 Δ of each block: one (tensor), per filter (row), per K index (column) or per filter and group.</summary>
    internal int[] StepExponents { get; }

    /// <summary>Σ Δ² over the weights, each with its block's step (four-stage model, stage 2).</summary>
    public double StepPower { get; }

    /// <summary>Σ w² over the weights.</summary>
    public double SignalPower { get; }

    /// <summary>Rounded mantissas that were beyond ±Q and saturated.</summary>
    public long Saturations { get; }

    /// <summary>The mantissa of filter <paramref name="filter"/> at reduction index <paramref name="k"/>.</summary>
    public int Mantissa(int filter, int k) => Narrow is { } n ? n[(filter * Geometry.Reduction) + k] : Wide![(filter * Geometry.Reduction) + k];

    /// <summary>log2 Δ of the block holding element (<paramref name="filter"/>, <paramref name="k"/>).</summary>
    public int StepExponent(int filter, int k) => Partition.Kind switch
    {
        PartitionKind.Tensor => StepExponents[0],
        PartitionKind.Row => StepExponents[filter],
        PartitionKind.Column => StepExponents[k],
        _ => StepExponents[(filter * GroupsPerRow) + (k / Partition.GroupSize)],
    };

    /// <summary>The shared exponents e_s of the blocks, and the shape of that array: [1] (tensor), [M] (row), [K]
    /// (column) or [M, groups] (group).</summary>
    public (int[] Exponents, int[] Shape) SharedExponents()
    {
        int[] exponents = Array.ConvertAll(StepExponents, e => e + (Format.MantissaBits - 2));
        int[] shape = Partition.Kind switch
        {
            PartitionKind.Tensor => [1],
            PartitionKind.Row => [Geometry.OutChannels],
            PartitionKind.Column => [Geometry.Reduction],
            _ => [Geometry.OutChannels, GroupsPerRow],
        };
        return (exponents, shape);
    }

    /// <summary>All mantissas, [OutChannels, K].</summary>
    public int[] Mantissas() => Narrow is { } n ? Array.ConvertAll(n, v => (int)v) : (int[])Wide!.Clone();

    internal int GroupsPerRow => Partition.Kind == PartitionKind.Group ? (Geometry.Reduction + Partition.GroupSize - 1) / Partition.GroupSize : 1;
}
