using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>A layer's weights converted to BFP once, offline: mantissas [OutChannels × K] and block step exponents.</summary>
/// <remarks>Mantissas the packed integer kernels will multiply are kept only as their packed bytes (half the memory of
/// int16 and written once); the int16 or int32 view is derived from them where a rarer path asks for it.</remarks>
public sealed class QuantizedWeights
{
    private readonly short[]? _narrow;
    private readonly Lazy<short[]>? _unpacked;
    private readonly Lazy<(sbyte[] Bytes, long[] RowSums)> _packed;
    private readonly bool _packedOnly;

    internal QuantizedWeights(
        ConvShape geometry, BfpFormat format, BlockPartition partition, short[]? narrow, int[]? wide, (sbyte[] Bytes, long[] RowSums)? packed,
        int[] stepExponents, long saturations, double stepPower, double signalPower)
    {
        StepPower = stepPower;
        SignalPower = signalPower;
        Geometry = geometry;
        Format = format;
        Partition = partition;
        _narrow = narrow;
        Wide = wide;
        StepExponents = stepExponents;
        Saturations = saturations;
        if (packed is { } bytes)
        {
            _packedOnly = true;
            _packed = new Lazy<(sbyte[], long[])>(bytes);
            _unpacked = new Lazy<short[]>(Unpack);
        }
        else
        {
            _packed = new Lazy<(sbyte[], long[])>(() => IntegerGemm.PackWeights(_narrow!, Geometry.OutChannels, Geometry.Reduction, Window));
        }
    }

    /// <summary>The mantissas as signed bytes, rows padded for <see cref="IntegerGemm"/>, and each row's Σ w: made by
    /// the conversion when the packed kernels will be used, else the first time a datapath asks (only for mantissas
    /// within ±127), then kept with the weights for every input. The bytes may run past the last row.</summary>
    internal (sbyte[] Bytes, long[] RowSums) Packed => _packed.Value;

    /// <summary>The packed bytes when the conversion wrote them (the packed kernels' settings), else null: a buffer the
    /// next slab of the same layer may be converted into.</summary>
    internal sbyte[]? PackedBytes => _packedOnly ? _packed.Value.Bytes : null;

    public ConvShape Geometry { get; }

    public BfpFormat Format { get; }

    public BlockPartition Partition { get; }

    /// <summary>Whether the mantissas fit int16 (L ≤ 16): <see cref="Narrow"/> is available, else <see cref="Wide"/>.</summary>
    internal bool IsNarrow => _narrow is not null || _packedOnly;

    /// <summary>Mantissas when L ≤ 16, else null (derived from the packed bytes once, when those are all that is kept).</summary>
    internal short[]? Narrow => _narrow ?? _unpacked?.Value;

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

    private int Window => Geometry.KernelHeight * Geometry.KernelWidth;

    /// <summary>The mantissa of filter <paramref name="filter"/> at reduction index <paramref name="k"/>.</summary>
    public int Mantissa(int filter, int k)
    {
        int reduction = Geometry.Reduction;
        if (_narrow is { } n)
        {
            return n[(filter * reduction) + k];
        }

        if (_packedOnly)
        {
            int window = Window;
            long row = (long)filter * IntegerGemm.PaddedLength(reduction);
            return _packed.Value.Bytes[row + (window == 1 ? k : IntegerGemm.PackedIndex(k, reduction / window, window))];
        }

        return Wide![(filter * reduction) + k];
    }

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
    public int[] Mantissas()
    {
        if (_packedOnly)
        {
            var all = new int[Geometry.WeightLength];
            Unpack<int>(all);
            return all;
        }

        return _narrow is { } n ? Array.ConvertAll(n, v => (int)v) : (int[])Wide!.Clone();
    }

    /// <summary>n(g, k) of <see cref="ZeroOperands"/>: per group and K index, the filters whose mantissa is non-zero.</summary>
    internal long[] FilterNonZeroCounts(int maxDegreeOfParallelism) =>
        _packedOnly ? ZeroOperands.PackedFilterCounts(Geometry, Packed.Bytes, Window, maxDegreeOfParallelism)
        : _narrow is { } n ? ZeroOperands.FilterCounts(Geometry, n, maxDegreeOfParallelism)
        : ZeroOperands.FilterCounts(Geometry, Wide!, maxDegreeOfParallelism);

    internal int GroupsPerRow => Partition.Kind == PartitionKind.Group ? (Geometry.Reduction + Partition.GroupSize - 1) / Partition.GroupSize : 1;

    private short[] Unpack()
    {
        var narrow = new short[Geometry.WeightLength];
        Unpack<short>(narrow);
        return narrow;
    }

    /// <summary>The packed bytes back in [OutChannels, K] order.</summary>
    private void Unpack<T>(T[] target)
        where T : struct, System.Numerics.INumberBase<T>
    {
        int k = Geometry.Reduction;
        int padded = IntegerGemm.PaddedLength(k);
        int window = Window;
        int channels = k / window;
        sbyte[] bytes = Packed.Bytes;
        Parallel.For(0, Geometry.OutChannels, m =>
        {
            ReadOnlySpan<sbyte> row = bytes.AsSpan(m * padded, k);
            Span<T> values = target.AsSpan(m * k, k);
            for (int j = 0; j < k; j++)
            {
                values[j] = T.CreateTruncating(row[IntegerGemm.PackedIndex(j, channels, window)]);
            }
        });
    }
}
