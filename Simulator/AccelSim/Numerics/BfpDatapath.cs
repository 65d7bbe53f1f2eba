using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>What one conv/FC layer's BFP datapath produced.</summary>
/// <param name="Output">NCHW float32 pre-activation outputs.</param>
/// <param name="InputConversions">Elements converted to BFP: the feature map once under <c>tensor</c>, else every im2col element.</param>
/// <param name="InputStepPower">Σ Δ² over the elements of the im2col matrix (padding included), each with its block's step.</param>
/// <param name="InputSignalPower">Σ x² over the im2col matrix.</param>
public sealed record BfpLayerOutput(
    float[] Output, long InputSaturations, long WeightSaturations, long AccumulatorSaturations, long InputConversions,
    double InputStepPower, double InputSignalPower)
{
    /// <summary>With capture on: the input mantissas as converted (NCHW under <c>tensor</c>, else the im2col matrix as
    /// [groups, columns, K]); otherwise null.</summary>
    public int[]? CapturedInputMantissas { get; init; }

    /// <summary>With capture on: the shared exponent e_s (one under <c>tensor</c>, else one per im2col element).</summary>
    public int[]? CapturedInputExponents { get; init; }
}

/// <summary>The BFP datapath of docs/numerics.md: weights converted offline, inputs on the fly, exact integer products,
/// an exact or saturating accumulator, the bias quantized into it, one rounding to float32.</summary>
/// <remarks>
/// When both partitions keep one scale along K (W <c>tensor</c> or <c>row</c>, I <c>tensor</c> or <c>column</c>: the
/// schemes 6-9 … 6-12) every output has one scale and one integer accumulator. Otherwise K splits into segments of
/// constant scale (<c>group: G</c>, W <c>column</c>, I <c>row</c>): each segment's exact dot product is scaled to double
/// and summed in increasing K order, the bias is added in double after the last segment and the sum is rounded once; a
/// narrow accumulator then applies within each segment's integer sum only as exactness allows (segments are exact).
/// </remarks>
public static class BfpDatapath
{
    private const int ColumnsPerTile = 16;

    // Channels (and pixels) per block of the conversion of a `tensor` map to channel-last bytes: one 16-byte vector.
    private const int BytesPerBlock = 16;

    // A block of packed GEMM: 32 filter rows and 64 columns of K bytes (conv4_2: 147 KB and 295 KB, within a 1 MB L2);
    // each pair of rows stays in L1 while it meets every column of the block.
    private const int FiltersPerBlock = 32;
    private const int ColumnsPerBlock = 64;
    private const ulong WeightStream = 0;
    private const ulong InputStream = 1;
    private const ulong BiasStream = 2;

    public static QuantizedWeights QuantizeWeights(ConvShape g, ReadOnlySpan<float> weights, BfpSettings s, string layerName) =>
        QuantizeWeights(g, weights.ToArray(), s, layerName);

    /// <summary><see cref="QuantizeWeights(ConvShape, ReadOnlySpan{float}, BfpSettings, string)"/> reading the array
    /// itself (a large layer's weights are not copied).</summary>
    public static QuantizedWeights QuantizeWeights(ConvShape g, float[] weights, BfpSettings s, string layerName) =>
        QuantizeWeights(g, weights, s, layerName, sumPowers: true, null);

    /// <summary>Whether layers with these settings multiply on the packed 8-bit kernels (mantissas within ±127, one
    /// scale per output, an exact accumulator, a packed kernel on this CPU): their weights are converted straight into
    /// the packed bytes.</summary>
    internal static bool UsesPackedKernels(BfpSettings s) =>
        s.Weights.MantissaBits <= 8 && s.Inputs.MantissaBits <= 8 && s.AccumulatorBits is null
        && s.WeightPartition.Kind is PartitionKind.Tensor or PartitionKind.Row && s.InputPartition.Kind is PartitionKind.Tensor or PartitionKind.Column
        && IntegerGemm.Best != IntegerKernel.Pairs16;

    /// <summary>The conversion, with packed bytes written into <paramref name="packedBuffer"/> when it is large enough
    /// (a slab's buffer reused by the next). Without <paramref name="sumPowers"/> Σ Δ² and Σ w² are left NaN: a layer
    /// converted in slabs of filters sums them itself with <see cref="PowerSums(float[], QuantizedWeights, ValueTuple{double, double})"/>,
    /// in the whole layer's element order.</summary>
    internal static QuantizedWeights QuantizeWeights(ConvShape g, float[] weights, BfpSettings s, string layerName, bool sumPowers, sbyte[]? packedBuffer)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != g.WeightLength)
        {
            throw new ArgumentException($"layer '{layerName}': {weights.Length} weights given, {g.WeightLength} expected", nameof(weights));
        }

        NonFiniteValueException.ThrowIfAny(weights, layerName, "weights");
        BfpFormat format = s.Weights;
        BlockPartition partition = s.WeightPartition;
        int k = g.Reduction;
        int filters = g.OutChannels;
        int groupSize = partition.Kind == PartitionKind.Group ? partition.GroupSize : 1;
        int groupsPerRow = (k + groupSize - 1) / groupSize;
        int blocks = partition.Kind switch
        {
            PartitionKind.Tensor => 1,
            PartitionKind.Row => filters,
            PartitionKind.Column => k,
            _ => filters * groupsPerRow,
        };
        var maxAbs = new float[blocks];
        if (partition.Kind is PartitionKind.Row or PartitionKind.Tensor)
        {
            // One block per filter (or one in all): each filter's maximum, filters in parallel (a maximum is exact in
            // any order, and the values are finite, checked above).
            var rowMax = partition.Kind == PartitionKind.Row ? maxAbs : new float[filters];
            Parallel.For(0, filters, m => rowMax[m] = BfpConverter.MaxAbs(weights.AsSpan(m * k, k)));
            if (partition.Kind == PartitionKind.Tensor)
            {
                maxAbs[0] = BfpConverter.MaxAbs(rowMax);
            }
        }
        else if (partition.Kind is PartitionKind.Group)
        {
            // A filter's blocks are its own, and a maximum is exact in any order: filters in parallel.
            Parallel.For(0, filters, m =>
            {
                for (int j = 0; j < k; j++)
                {
                    int block = BlockOf(m, j);
                    maxAbs[block] = MathF.Max(maxAbs[block], MathF.Abs(weights[(m * k) + j]));
                }
            });
        }
        else
        {
            for (int m = 0; m < filters; m++)
            {
                for (int j = 0; j < k; j++)
                {
                    int block = BlockOf(m, j);
                    maxAbs[block] = MathF.Max(maxAbs[block], MathF.Abs(weights[(m * k) + j]));
                }
            }
        }

        var stepExponents = new int[blocks];
        for (int b = 0; b < blocks; b++)
        {
            stepExponents[b] = BfpConverter.StepExponent(BfpConverter.SharedExponent(maxAbs[b], format), format);
        }

        // Σ Δ² and Σ w² are summed in element order (their bits depend on it) by one task while the filters convert;
        // each block's Δ² is the same product computed once.
        Task<(double StepPower, double SignalPower)> powers = !sumPowers ? Task.FromResult((double.NaN, double.NaN))
            : Task.Run(() => PowerSums(weights, filters, k, StepSquares(stepExponents), partition, groupsPerRow, (0, 0)));

        bool packed = UsesPackedKernels(s);
        bool narrow = format.MantissaBits <= 16 && !packed;
        short[]? narrowMantissas = narrow ? new short[weights.Length] : null;
        int[]? wideMantissas = narrow || packed ? null : new int[weights.Length];
        int padded = IntegerGemm.PaddedLength(k);
        long packedLength = (long)filters * padded;
        sbyte[]? packedBytes = !packed ? null : packedBuffer is { } buffer && buffer.Length >= packedLength ? buffer : new sbyte[packedLength];
        long[]? rowSums = packed ? new long[filters] : null;
        // Filters convert independently; each is one thread's, so the result does not depend on the thread count.
        float[] source = weights;
        long saturations = 0;
        var gate = new object();
        Parallel.For(0, filters, () => 0L, (m, _, local) =>
        {
            if (packedBytes is not null)
            {
                return local + QuantizePackedRow(m);
            }

            for (int j = 0; j < k; j++)
            {
                int i = (m * k) + j;
                int block = BlockOf(m, j);
                double uniform = s.Rounding == RoundingMode.Stochastic ? BfpConverter.Uniform(s.StochasticSeed, WeightStream, (ulong)i) : 0;
                int q = BfpConverter.Quantize(source[i], BfpConverter.Pow2(-stepExponents[block]), format.MaxMantissa, s.Rounding, uniform, out bool saturated);
                local += saturated ? 1 : 0;
                if (narrowMantissas is not null)
                {
                    narrowMantissas[i] = (short)q;
                }
                else
                {
                    wideMantissas![i] = q;
                }
            }

            return local;
        },
        local =>
        {
            lock (gate)
            {
                saturations += local;
            }
        });

        (double stepPowerSum, double signalPowerSum) = powers.GetAwaiter().GetResult();
        return new QuantizedWeights(
            g, format, partition, narrowMantissas, wideMantissas, packedBytes is null ? null : (packedBytes, rowSums!), stepExponents, saturations, stepPowerSum, signalPowerSum);

        // One filter's mantissas straight into its packed row (IntegerGemm.PackWeights' layout) and its Σ w; returns
        // the saturations. Under `tensor` or `row` the whole row has one step.
        long QuantizePackedRow(int m)
        {
            const int Run = 256;
            int window = g.KernelHeight * g.KernelWidth;
            int channels = k / window;
            Span<sbyte> row = packedBytes.AsSpan(m * padded, padded);
            ReadOnlySpan<float> values = source.AsSpan(m * k, k);
            double inverse = BfpConverter.Pow2(-stepExponents[BlockOf(m, 0)]);
            // In float where scaling by the inverse is exact (as for the maps): eight values a step instead of four.
            bool single = ScalesExactlyInFloat(inverse) && Avx2.IsSupported;
            Span<int> mantissas = stackalloc int[Run];
            long sum = 0;
            long saturated = 0;
            for (int start = 0; start < k; start += Run)
            {
                int length = Math.Min(Run, k - start);
                ReadOnlySpan<float> part = values.Slice(start, length);
                int j = s.Rounding == RoundingMode.Stochastic ? 0
                    : single ? QuantizeVectorsSingle(part, (float)inverse, format.MaxMantissa, s.Rounding, mantissas, ref saturated)
                    : QuantizeVectors(part, inverse, format.MaxMantissa, s.Rounding, mantissas, ref saturated);
                for (; j < length; j++)
                {
                    double uniform = s.Rounding == RoundingMode.Stochastic ? BfpConverter.Uniform(s.StochasticSeed, WeightStream, (ulong)((m * k) + start + j)) : 0;
                    mantissas[j] = BfpConverter.Quantize(part[j], inverse, format.MaxMantissa, s.Rounding, uniform, out bool isSaturated);
                    saturated += isSaturated ? 1 : 0;
                }

                sum += window == 1
                    ? StoreBytes(mantissas[..length], row.Slice(start, length))
                    : ScatterBytes(mantissas[..length], row, start, channels, window);
            }

            row[k..].Clear();
            rowSums![m] = sum;
            return saturated;
        }

        int BlockOf(int m, int j) => partition.Kind switch
        {
            PartitionKind.Tensor => 0,
            PartitionKind.Row => m,
            PartitionKind.Column => j,
            _ => (m * groupsPerRow) + (j / groupSize),
        };
    }

    /// <summary>Σ Δ² and Σ w² of <paramref name="weights"/>, converted into <paramref name="quantized"/>, continuing in
    /// element order from <paramref name="carried"/> (the sums of the filters before them).</summary>
    internal static (double StepPower, double SignalPower) PowerSums(float[] weights, QuantizedWeights quantized, (double StepPower, double SignalPower) carried)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(quantized);
        ConvShape g = quantized.Geometry;
        BlockPartition partition = quantized.Partition;
        int groupsPerRow = partition.Kind == PartitionKind.Group ? (g.Reduction + partition.GroupSize - 1) / partition.GroupSize : 1;
        return PowerSums(weights, g.OutChannels, g.Reduction, StepSquares(quantized.StepExponents), partition, groupsPerRow, carried);
    }

    /// <summary>Each block's Δ², the same product computed once per block.</summary>
    private static double[] StepSquares(int[] stepExponents) => Array.ConvertAll(stepExponents, e => BfpConverter.Pow2(e) * BfpConverter.Pow2(e));

    /// <summary>Σ Δ² and Σ w² over the weights in element order from <paramref name="carried"/>: one running sum each,
    /// whose bits depend on that order. Compiled optimized from the first call (the loop is long and entered once).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (double StepPower, double SignalPower) PowerSums(
        float[] weights, int filters, int k, double[] stepSquares, BlockPartition partition, int groupsPerRow, (double StepPower, double SignalPower) carried)
    {
        (double stepPower, double signalPower) = carried;
        for (int m = 0; m < filters; m++)
        {
            ReadOnlySpan<float> row = weights.AsSpan(m * k, k);
            switch (partition.Kind)
            {
                case PartitionKind.Row or PartitionKind.Tensor:
                    double square = stepSquares[partition.Kind == PartitionKind.Row ? m : 0];
                    for (int j = 0; j < row.Length; j++)
                    {
                        stepPower += square;
                        signalPower += (double)row[j] * row[j];
                    }

                    break;
                case PartitionKind.Column:
                    for (int j = 0; j < row.Length; j++)
                    {
                        stepPower += stepSquares[j];
                        signalPower += (double)row[j] * row[j];
                    }

                    break;
                default:
                    ReadOnlySpan<double> groups = stepSquares.AsSpan(m * groupsPerRow, groupsPerRow);
                    for (int j = 0; j < row.Length; j++)
                    {
                        stepPower += groups[j / partition.GroupSize];
                        signalPower += (double)row[j] * row[j];
                    }

                    break;
            }
        }

        return (stepPower, signalPower);
    }

    /// <summary><see cref="BfpConverter.Quantize"/> four values at a time for the deterministic roundings, into int32
    /// (weights) or int16 (a map's mantissas): the same operations on doubles (scale by a power of two, round, saturate
    /// to ±Q); returns where the scalar tail starts.</summary>
    private static int QuantizeVectors<T>(ReadOnlySpan<float> values, double inverse, int maxMantissa, RoundingMode rounding, Span<T> target, ref long saturations)
        where T : struct, IBinaryInteger<T>
    {
        if (!Avx.IsSupported)
        {
            return 0;
        }

        var scale = Vector256.Create(inverse);
        var max = Vector256.Create((double)maxMantissa);
        long saturated = 0;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            Vector128<int> q = Quantize4(values.Slice(i, 4), scale, max, rounding, out Vector256<double> outside);
            saturated += BitOperations.PopCount(outside.ExtractMostSignificantBits());
            for (int j = 0; j < 4; j++)
            {
                target[i + j] = T.CreateTruncating(q.GetElement(j));
            }
        }

        saturations += saturated;
        return i;
    }

    /// <summary>Whether x · <paramref name="inverse"/> in float gives the double product's rounding: for an inverse of
    /// 2^k with 0 ≤ k ≤ 127 it is exact (no result falls below |x|; an overflow gives ±∞, which saturates as the
    /// double would).</summary>
    private static bool ScalesExactlyInFloat(double inverse) => inverse >= 1 && inverse <= 1.7014118346046923e38;

    /// <summary><see cref="QuantizeVectors"/> in float, eight values a step, for an <paramref name="inverse"/> of
    /// 1 … 2^127 (the scaling is exact there, so the results are the same).</summary>
    private static int QuantizeVectorsSingle(ReadOnlySpan<float> values, float inverse, int maxMantissa, RoundingMode rounding, Span<int> target, ref long saturations)
    {
        var scale = Vector256.Create(inverse);
        var max = Vector256.Create((float)maxMantissa);
        long saturated = 0;
        int i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            Quantize8(values.Slice(i, 8), scale, max, rounding, out Vector256<float> outside).CopyTo(target[i..]);
            saturated += BitOperations.PopCount(outside.ExtractMostSignificantBits());
        }

        saturations += saturated;
        return i;
    }

    /// <summary>Mantissas (within ±127) as signed bytes in K order, 32 at a time; returns their sum.</summary>
    private static long StoreBytes(ReadOnlySpan<int> mantissas, Span<sbyte> target)
    {
        int j = 0;
        long sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<int> total = Vector256<int>.Zero;
            for (; j + 32 <= mantissas.Length; j += 32)
            {
                Vector256<int> a = Vector256.Create(mantissas[j..]);
                Vector256<int> b = Vector256.Create(mantissas[(j + 8)..]);
                Vector256<int> c = Vector256.Create(mantissas[(j + 16)..]);
                Vector256<int> d = Vector256.Create(mantissas[(j + 24)..]);
                total += a + b + c + d;
                Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).CopyTo(target[j..]);
            }

            sum = Vector256.Sum(total);
        }

        for (; j < mantissas.Length; j++)
        {
            target[j] = (sbyte)mantissas[j];
            sum += mantissas[j];
        }

        return sum;
    }

    /// <summary>Mantissas of K indices [<paramref name="first"/>, +length) as signed bytes where
    /// <see cref="IntegerGemm.PackedIndex"/> puts them; returns their sum.</summary>
    private static long ScatterBytes(ReadOnlySpan<int> mantissas, Span<sbyte> row, int first, int channels, int window)
    {
        int channel = first / window;
        int position = first % window;
        long sum = 0;
        for (int j = 0; j < mantissas.Length; j++)
        {
            row[(position * channels) + channel] = (sbyte)mantissas[j];
            sum += mantissas[j];
            if (++position == window)
            {
                position = 0;
                channel++;
            }
        }

        return sum;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize8(ReadOnlySpan<float> values, Vector256<float> scale, Vector256<float> max, RoundingMode rounding, out Vector256<float> outside)
    {
        Vector256<float> rounded = RoundVector(Vector256.Create(values) * scale, rounding);
        outside = Vector256.GreaterThan(rounded, max) | Vector256.LessThan(rounded, -max);
        return Avx.ConvertToVector256Int32WithTruncation(Vector256.Min(Vector256.Max(rounded, -max), max));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize4(ReadOnlySpan<float> values, Vector256<double> scale, Vector256<double> max, RoundingMode rounding, out Vector256<double> outside)
    {
        Vector256<double> rounded = RoundVector(Avx.ConvertToVector256Double(Vector128.Create(values)) * scale, rounding);
        outside = Vector256.GreaterThan(rounded, max) | Vector256.LessThan(rounded, -max);
        return Avx.ConvertToVector128Int32WithTruncation(Vector256.Min(Vector256.Max(rounded, -max), max));
    }

    private static Vector256<float> RoundVector(Vector256<float> scaled, RoundingMode rounding) => rounding switch
    {
        RoundingMode.NearestEven => Avx.RoundToNearestInteger(scaled),
        RoundingMode.TowardZero => Avx.RoundToZero(scaled),
        RoundingMode.TowardPositive => Avx.RoundToPositiveInfinity(scaled),
        _ => Avx.RoundToNegativeInfinity(scaled),
    };

    private static Vector256<double> RoundVector(Vector256<double> scaled, RoundingMode rounding) => rounding switch
    {
        RoundingMode.NearestEven => Avx.RoundToNearestInteger(scaled),
        RoundingMode.TowardZero => Avx.RoundToZero(scaled),
        RoundingMode.TowardPositive => Avx.RoundToPositiveInfinity(scaled),
        _ => Avx.RoundToNegativeInfinity(scaled),
    };

    /// <summary>One conv/FC layer through the BFP datapath.</summary>
    /// <param name="output">Where the outputs go (exactly <see cref="ConvShape.OutputLength"/> long, every element
    /// written; it becomes <see cref="BfpLayerOutput.Output"/>): a caller that runs layers one after another can reuse
    /// one array, whose memory is then not fresh. Null: a new array.</param>
    public static BfpLayerOutput Convolve(
        ConvShape g, ReadOnlySpan<float> input, QuantizedWeights w, ReadOnlySpan<float> bias, BfpSettings s, string layerName, int maxDegreeOfParallelism,
        bool captureInput = false, IntegerKernel? kernel = null, float[]? output = null)
    {
        if (output is not null && output.Length != g.OutputLength)
        {
            throw new ArgumentException($"layer '{layerName}': output has {output.Length} values, {g.OutputLength} expected", nameof(output));
        }

        IntegerKernel chosen = kernel ?? IntegerGemm.Best;
        if (!IntegerGemm.IsSupported(chosen))
        {
            throw new NotSupportedException($"the {chosen} integer kernel does not run on this CPU");
        }

        if (input.Length != g.InputLength)
        {
            throw new ArgumentException($"layer '{layerName}': input has {input.Length} values, {g.InputLength} expected", nameof(input));
        }

        NonFiniteValueException.ThrowIfAny(input, layerName, "input");
        NonFiniteValueException.ThrowIfAny(bias, layerName, "bias");
        float[] biasValues = bias.ToArray();
        if (s.Bias is { } biasFormat && biasValues.Length > 0)
        {
            // The stored bias: one block, converted like any other, then used as its represented values x̂ = q·Δ.
            int step = BfpConverter.StepExponent(BfpConverter.SharedExponent(BfpConverter.MaxAbs(biasValues), biasFormat), biasFormat);
            double inverse = BfpConverter.Pow2(-step);
            for (int i = 0; i < biasValues.Length; i++)
            {
                double uniform = s.Rounding == RoundingMode.Stochastic ? BfpConverter.Uniform(s.StochasticSeed, BiasStream + 1, (ulong)i) : 0;
                int q = BfpConverter.Quantize(biasValues[i], inverse, biasFormat.MaxMantissa, s.Rounding, uniform, out _);
                biasValues[i] = (float)(q * BfpConverter.Pow2(step));
            }
        }

        // Scratch arrays come from the shared pool and go back at the end: on a large layer, fresh memory costs more in
        // page faults than the conversion that fills it. Every element read is written first (Job.ReturnScratch).
        float[] pooledInput = ArrayPool<float>.Shared.Rent(input.Length);
        input.CopyTo(pooledInput);
        var job = new Job(g, w, s, pooledInput, biasValues, output ?? new float[g.OutputLength]);
        try
        {
            return Run(job, g, w, chosen, maxDegreeOfParallelism, captureInput);
        }
        finally
        {
            job.ReturnScratch();
            ArrayPool<float>.Shared.Return(pooledInput);
        }
    }

    private static BfpLayerOutput Run(Job job, ConvShape g, QuantizedWeights w, IntegerKernel chosen, int maxDegreeOfParallelism, bool captureInput)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) };
        bool packed = chosen != IntegerKernel.Pairs16 && job.EightBitExact;
        // Packed and without capture, a `tensor` map converts straight to the offset bytes the panel is gathered from.
        job.PrepareInput(bytesOnly: packed && !captureInput, parallel);
        if (captureInput)
        {
            job.StartCapture();
        }

        int columns = g.Batch * g.PixelsPerItem;
        int tilesPerGroup = (columns + ColumnsPerTile - 1) / ColumnsPerTile;
        job.AllocateTiles(g.Groups * tilesPerGroup);
        if (packed)
        {
            job.StartPacking();
        }

        bool whole = packed && IntegerGemm.IsWholeGemm(chosen);
        if (job.GathersBytes)
        {
            // Under `tensor` the columns are gathered from the converted map: no per-thread buffers to make. The
            // whole-GEMM kernel gathers each tile's columns on the thread that multiplies them (MultiplyGroup).
            if (!whole)
            {
                Parallel.For(0, g.Groups * tilesPerGroup, parallel, tile => job.GatherTile(tile / tilesPerGroup, (tile % tilesPerGroup) * ColumnsPerTile));
            }
        }
        else
        {
            Parallel.For(0, g.Groups * tilesPerGroup, parallel,
            () => new TileBuffers(g.Reduction),
            (tile, _, buffers) =>
            {
                job.RunTile(tile, tile / tilesPerGroup, (tile % tilesPerGroup) * ColumnsPerTile, buffers);
                return buffers;
            },
            buffers => job.Absorb(buffers));
        }

        if (whole)
        {
            // One native GEMM per group over all its columns, cut into one tile per thread; each thread rounds its
            // tile's outputs as soon as its sums are made, while they are still in cache.
            for (int group = 0; group < g.Groups; group++)
            {
                job.MultiplyGroup(group, threads: Math.Max(1, maxDegreeOfParallelism));
            }
        }
        else if (packed)
        {
            // Columns were converted and packed above; the GEMM runs over blocks of filters × columns, so a layer with
            // one column (FC at batch 1) still spreads over the threads. Each output is one exact sum, whatever the block.
            int filterBlocks = (g.GroupFilters + FiltersPerBlock - 1) / FiltersPerBlock;
            int columnBlocks = (columns + ColumnsPerBlock - 1) / ColumnsPerBlock;
            Parallel.For(0, g.Groups * filterBlocks * columnBlocks, parallel, block =>
            {
                int group = block / (filterBlocks * columnBlocks);
                int rest = block % (filterBlocks * columnBlocks);
                job.RunPackedBlock(group, rest / columnBlocks * FiltersPerBlock, rest % columnBlocks * ColumnsPerBlock, chosen);
            });
        }

        // Per-tile power sums are added in tile order, so the figures do not depend on the thread count.
        return new BfpLayerOutput(job.Output, job.InputSaturations, w.Saturations, job.AccumulatorSaturations, job.InputConversions,
            job.InputStepPower, job.InputSignalPower)
        {
            CapturedInputMantissas = job.CapturedMantissas,
            CapturedInputExponents = job.CapturedExponents,
        };
    }

    /// <summary>Per-thread scratch: one tile of quantized input columns and their step exponents.</summary>
    private sealed class TileBuffers(int k)
    {
        public readonly float[] Column = new float[k];
        public readonly short[][] Narrow = Enumerable.Range(0, ColumnsPerTile).Select(_ => new short[k]).ToArray();
        public readonly int[][] Wide = Enumerable.Range(0, ColumnsPerTile).Select(_ => new int[k]).ToArray();
        public readonly int[][] Steps = Enumerable.Range(0, ColumnsPerTile).Select(_ => new int[k]).ToArray();
        public long InputSaturations;
        public long AccumulatorSaturations;
        public long InputConversions;
    }

    private sealed class Job(ConvShape g, QuantizedWeights w, BfpSettings s, float[] input, float[] bias, float[] output)
    {
        private readonly BfpFormat _format = s.Inputs;

        private QuantizedWeights Weights => w;

        private BfpSettings Settings => s;
        private readonly bool _narrow = s.Inputs.MantissaBits <= 16 && w.IsNarrow;
        private readonly object _gate = new();
        private short[]? _tensorNarrow;
        private int[]? _tensorWide;
        private int _tensorStep;
        private int[]? _rowSteps;
        private double _tensorSignalPower;
        private double _tensorStepPower;

        /// <summary>The input as given (the array behind it is pooled and may be longer).</summary>
        private ReadOnlySpan<float> Input => input.AsSpan(0, (int)g.InputLength);

        /// <summary>Gives the pooled scratch back; nothing of it may be used afterwards.</summary>
        /// <remarks>Pooled arrays hold whatever an earlier layer left: the map, the panel (padding included) and the
        /// offset bytes are written in full before they are read.</remarks>
        public void ReturnScratch()
        {
            if (_tensorNarrow is not null)
            {
                ArrayPool<short>.Shared.Return(_tensorNarrow);
                _tensorNarrow = null;
            }

            if (_panel is not null)
            {
                ArrayPool<byte>.Shared.Return(_panel);
                _panel = null;
            }

            if (_tensorBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(_tensorBytes);
                _tensorBytes = null;
            }
        }

        public double InputStepPower => s.InputPartition.Kind == PartitionKind.Tensor ? _tensorStepPower : TileStepPower.Sum();

        public double InputSignalPower => s.InputPartition.Kind == PartitionKind.Tensor ? _tensorSignalPower : TileSignalPower.Sum();

        private static long[] WindowUses(int inSize, int outSize, int kernel, int stride, int pad, int dilation)
        {
            var uses = new long[inSize];
            for (int o = 0; o < outSize; o++)
            {
                for (int r = 0; r < kernel; r++)
                {
                    int i = (o * stride) - pad + (r * dilation);
                    if (i >= 0 && i < inSize)
                    {
                        uses[i]++;
                    }
                }
            }

            return uses;
        }

        public float[] Output { get; } = output;

        public long InputSaturations { get; private set; }

        public long AccumulatorSaturations { get; private set; }

        public long InputConversions { get; private set; }

        public double[] TileStepPower { get; private set; } = [];

        public double[] TileSignalPower { get; private set; } = [];

        public int[]? CapturedMantissas { get; private set; }

        public int[]? CapturedExponents { get; private set; }

        public void StartCapture()
        {
            if (s.InputPartition.Kind == PartitionKind.Tensor)
            {
                CapturedMantissas = new int[(int)g.InputLength];
                for (int i = 0; i < CapturedMantissas.Length; i++)
                {
                    CapturedMantissas[i] = _tensorNarrow is not null ? _tensorNarrow[i] : _tensorWide![i];
                }

                CapturedExponents = [_tensorStep + (_format.MantissaBits - 2)];
            }
            else
            {
                long length = (long)g.Groups * g.Batch * g.PixelsPerItem * g.Reduction;
                CapturedMantissas = new int[length];
                CapturedExponents = new int[length];
            }
        }

        public void AllocateTiles(int tiles)
        {
            TileStepPower = new double[tiles];
            TileSignalPower = new double[tiles];
        }

        private byte[]? _panel;
        private int[]? _columnSteps;
        private byte[]? _tensorBytes;
        private int _padded;

        /// <summary>Whether every product is of 8-bit mantissas summed exactly under one scale: what the packed kernels compute.</summary>
        public bool EightBitExact => SingleScale && s.AccumulatorBits is null && _narrow && w.Format.MantissaBits <= 8 && _format.MantissaBits <= 8;

        /// <summary>From now on tiles convert and pack their columns for <see cref="RunPackedBlock"/> instead of multiplying.</summary>
        public void StartPacking()
        {
            _padded = IntegerGemm.PaddedLength(g.Reduction);
            long columns = (long)g.Groups * g.Batch * g.PixelsPerItem;
            _panel = ArrayPool<byte>.Shared.Rent((int)(columns * _padded));
            _columnSteps = new int[columns];
            if (_tensorNarrow is not null && _tensorBytes is null)
            {
                // Under `tensor` the map is converted once; its offset bytes, channel last, are gathered straight into
                // the panel as runs of channels (the packed K order of IntegerGemm.PackWeights).
                _tensorBytes = ArrayPool<byte>.Shared.Rent((int)g.InputLength);
                int planeLength = g.InHeight * g.InWidth;
                for (int item = 0; item < g.Batch; item++)
                {
                    for (int c = 0; c < g.InChannels; c++)
                    {
                        ReadOnlySpan<short> plane = _tensorNarrow.AsSpan(((item * g.InChannels) + c) * planeLength, planeLength);
                        Span<byte> target = _tensorBytes.AsSpan(item * g.InChannels * planeLength);
                        for (int p = 0; p < planeLength; p++)
                        {
                            target[(p * g.InChannels) + c] = (byte)(plane[p] + IntegerGemm.InputOffset);
                        }
                    }
                }
            }

            if (_tensorBytes is not null)
            {
                Array.Fill(_columnSteps, _tensorStep);
            }
        }

        /// <summary>Whether tiles gather offset bytes from the converted map (<c>tensor</c> inputs, packed kernels).</summary>
        public bool GathersBytes => _tensorBytes is not null;

        /// <summary>Gathers one tile's columns of offset bytes from the converted map into the panel.</summary>
        public void GatherTile(int group, int firstColumn) => GatherColumns(group, firstColumn, Math.Min(ColumnsPerTile, (g.Batch * g.PixelsPerItem) - firstColumn));

        /// <summary>Gathers columns [firstColumn, firstColumn + count) of a group's offset bytes into the panel.</summary>
        private void GatherColumns(int group, int firstColumn, int count)
        {
            int k = g.Reduction;
            int pixels = g.PixelsPerItem;
            int width = g.OutWidth;
            int channels = g.GroupInChannels;
            for (int c = 0; c < count; c++)
            {
                int n = firstColumn + c;
                long column = ((long)group * g.Batch * pixels) + n;
                Span<byte> target = _panel.AsSpan((int)(column * _padded), _padded);
                int item = n / pixels;
                int oh = (n % pixels) / width;
                int ow = n % width;
                int position = 0;
                for (int r = 0; r < g.KernelHeight; r++)
                {
                    int ih = (oh * g.StrideHeight) - g.PadTop + (r * g.DilationHeight);
                    for (int q = 0; q < g.KernelWidth; q++, position++)
                    {
                        int iw = (ow * g.StrideWidth) - g.PadLeft + (q * g.DilationWidth);
                        Span<byte> run = target.Slice(position * channels, channels);
                        if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                        {
                            _tensorBytes.AsSpan((int)(((((long)item * g.InHeight) + ih) * g.InWidth + iw) * g.InChannels) + (group * channels), channels).CopyTo(run);
                        }
                        else
                        {
                            run.Fill(IntegerGemm.InputOffset);
                        }
                    }
                }

                target[k..].Fill(IntegerGemm.InputOffset);
            }
        }

        /// <summary>Outputs of up to <see cref="FiltersPerBlock"/> filters × <see cref="ColumnsPerBlock"/> packed columns of a group.</summary>
        public void RunPackedBlock(int group, int firstFilter, int firstColumn, IntegerKernel kernel)
        {
            int columns = g.Batch * g.PixelsPerItem;
            int filterEnd = Math.Min(g.GroupFilters, firstFilter + FiltersPerBlock);
            int columnEnd = Math.Min(columns, firstColumn + ColumnsPerBlock);
            (sbyte[] bytes, long[] rowSums) = w.Packed;
            int p = _padded;
            Span<long> sums = stackalloc long[8];
            var finish = new Finisher(this, filterEnd - firstFilter);
            for (int f = firstFilter; f < filterEnd; f += 2)
            {
                int m = (group * g.GroupFilters) + f;
                bool pair = f + 1 < filterEnd;
                ReadOnlySpan<sbyte> w0 = bytes.AsSpan(m * p, p);
                ReadOnlySpan<sbyte> w1 = pair ? bytes.AsSpan((m + 1) * p, p) : default;
                int n = firstColumn;
                for (; pair && n + 4 <= columnEnd; n += 4)
                {
                    IntegerGemm.Dot2x4(kernel, w0, w1, rowSums[m], rowSums[m + 1], Column(group, n), Column(group, n + 1), Column(group, n + 2), Column(group, n + 3), sums);
                    for (int c = 0; c < 4; c++)
                    {
                        Store(m, n + c, sums[c]);
                        Store(m + 1, n + c, sums[4 + c]);
                    }
                }

                for (; n < columnEnd; n++)
                {
                    Store(m, n, IntegerGemm.Dot(kernel, w0, rowSums[m], Column(group, n)));
                    if (pair)
                    {
                        Store(m + 1, n, IntegerGemm.Dot(kernel, w1, rowSums[m + 1], Column(group, n)));
                    }
                }
            }

            void Store(int m, int n, long sum)
            {
                long outIndex = ((((long)(n / g.PixelsPerItem) * g.OutChannels) + m) * g.PixelsPerItem) + (n % g.PixelsPerItem);
                Output[outIndex] = finish.Round(m - (group * g.GroupFilters) - firstFilter, m, n, _columnSteps![(group * columns) + n], sum);
            }
        }

        /// <summary>Every exact sum of a group's filters with its packed columns through the whole-GEMM kernel, each
        /// tile rounded to outputs by the thread that made it.</summary>
        public void MultiplyGroup(int group, int threads)
        {
            int columns = g.Batch * g.PixelsPerItem;
            int filters = g.GroupFilters;
            (sbyte[] bytes, long[] rowSums) = w.Packed;
            IntegerGemm.Multiply(
                bytes.AsSpan(group * filters * _padded, filters * _padded), rowSums.AsSpan(group * filters, filters), filters,
                _panel.AsSpan((int)((long)group * columns * _padded), columns * _padded), columns, threads,
                (firstColumn, columnCount, firstFilter, filterCount, sums) => StoreTile(group, firstColumn, columnCount, firstFilter, filterCount, sums),
                GathersBytes ? (firstColumn, columnCount) => GatherColumns(group, firstColumn, columnCount) : null);
        }

        /// <summary>Rounds one tile of a group's outputs from its exact sums, [column · filterCount + filter] from the corner.</summary>
        private void StoreTile(int group, int firstColumn, int columnCount, int firstFilter, int filterCount, ReadOnlySpan<long> sums)
        {
            int columns = g.Batch * g.PixelsPerItem;
            int pixels = g.PixelsPerItem;
            int firstM = (group * g.GroupFilters) + firstFilter;
            var finish = new Finisher(this, filterCount);
            if (GathersBytes && s.Rounding != RoundingMode.Stochastic
                && finish.TryUniform(firstM, firstColumn, _tensorStep, out long[] biases, out double[] powers))
            {
                // One scale per filter for the whole map (`tensor`): the bias and the power of two are the filter's
                // alone, so the sums are rounded as Finisher.Round would, without asking per output.
                for (int c = 0, item = firstColumn / pixels, pixel = firstColumn % pixels; c < columnCount; c++)
                {
                    ReadOnlySpan<long> row = sums.Slice(c * filterCount, filterCount);
                    Span<float> target = Output.AsSpan(((item * g.OutChannels) + firstM) * pixels);
                    for (int f = 0; f < row.Length; f++)
                    {
                        target[(f * pixels) + pixel] = (float)((double)(row[f] + biases[f]) * powers[f]);
                    }

                    if (++pixel == pixels)
                    {
                        pixel = 0;
                        item++;
                    }
                }

                return;
            }

            for (int c = 0, item = firstColumn / pixels, pixel = firstColumn % pixels; c < columnCount; c++)
            {
                int n = firstColumn + c;
                int columnStep = _columnSteps![(group * columns) + n];
                for (int f = 0; f < filterCount; f++)
                {
                    int m = firstM + f;
                    long outIndex = ((((long)item * g.OutChannels) + m) * pixels) + pixel;
                    Output[outIndex] = finish.Round(f, m, n, columnStep, sums[(c * filterCount) + f]);
                }

                if (++pixel == pixels)
                {
                    pixel = 0;
                    item++;
                }
            }
        }

        private ReadOnlySpan<byte> Column(int group, int n) =>
            _panel.AsSpan((int)((((long)group * g.Batch * g.PixelsPerItem) + n) * _padded), _padded);

        private bool SingleScale =>
            w.Partition.Kind is PartitionKind.Tensor or PartitionKind.Row && s.InputPartition.Kind is PartitionKind.Tensor or PartitionKind.Column;

        /// <summary>Σ x² over the im2col matrix without building it: an element at (ih, iw) is read by as many windows as
        /// there are (output row, kernel row) pairs reaching ih, times the same for iw.</summary>
        private double SignalPower()
        {
            ReadOnlySpan<float> input = Input;
            long[] rowUses = WindowUses(g.InHeight, g.OutHeight, g.KernelHeight, g.StrideHeight, g.PadTop, g.DilationHeight);
            long[] columnUses = WindowUses(g.InWidth, g.OutWidth, g.KernelWidth, g.StrideWidth, g.PadLeft, g.DilationWidth);
            double signal = 0;
            for (int i = 0; i < input.Length;)
            {
                // Plane by plane, row by row: the same terms added in the same order as element by element.
                for (int ih = 0; ih < g.InHeight; ih++)
                {
                    for (int iw = 0; iw < g.InWidth; iw++, i++)
                    {
                        signal += (double)input[i] * input[i] * rowUses[ih] * columnUses[iw];
                    }
                }
            }

            return signal;
        }

        /// <summary>Converts channels [first, first + count) of batch item <paramref name="item"/> to offset bytes in the
        /// channel-last map: 16 channels × 16 pixels at a time, each row converted by <see cref="QuantizeBytes"/> and the
        /// block transposed in registers; the rest element by element. Returns the saturations.</summary>
        private long ConvertToBytes(int item, int first, int count, double inverse)
        {
            int channels = g.InChannels;
            int planeLength = g.InHeight * g.InWidth;
            ReadOnlySpan<float> input = Input.Slice(item * channels * planeLength, channels * planeLength);
            Span<byte> target = _tensorBytes.AsSpan(item * channels * planeLength, channels * planeLength);
            int maxMantissa = _format.MaxMantissa;
            long saturations = 0;
            int p = 0;
            // Eight values through one vector instead of four where scaling in float is exact.
            bool single = ScalesExactlyInFloat(inverse);
            if (count == BytesPerBlock)
            {
                Span<Vector128<byte>> rows = stackalloc Vector128<byte>[BytesPerBlock];
                for (; p + BytesPerBlock <= planeLength; p += BytesPerBlock)
                {
                    for (int c = 0; c < BytesPerBlock; c++)
                    {
                        ReadOnlySpan<float> values = input.Slice(((first + c) * planeLength) + p, BytesPerBlock);
                        rows[c] = single
                            ? QuantizeBytesSingle(values, (float)inverse, maxMantissa, s.Rounding, ref saturations)
                            : QuantizeBytes(values, inverse, maxMantissa, s.Rounding, ref saturations);
                    }

                    Transpose16(rows);
                    for (int i = 0; i < BytesPerBlock; i++)
                    {
                        rows[i].CopyTo(target.Slice(((p + i) * channels) + first, BytesPerBlock));
                    }
                }
            }

            for (int c = first; c < first + count; c++)
            {
                ReadOnlySpan<float> plane = input.Slice(c * planeLength, planeLength);
                for (int q = p; q < planeLength; q++)
                {
                    int mantissa = BfpConverter.Quantize(plane[q], inverse, maxMantissa, s.Rounding, 0, out bool saturated);
                    saturations += saturated ? 1 : 0;
                    target[(q * channels) + c] = (byte)(mantissa + IntegerGemm.InputOffset);
                }
            }

            return saturations;
        }

        /// <summary><see cref="BfpConverter.Quantize"/> of 16 values under a deterministic rounding, as offset bytes
        /// x + 128: the same operations on doubles as <see cref="QuantizeVectors"/> (|x| ≤ Q ≤ 127 after saturation).</summary>
        private static Vector128<byte> QuantizeBytes(ReadOnlySpan<float> values, double inverse, int maxMantissa, RoundingMode rounding, ref long saturations)
        {
            var offset = Vector128.Create((short)IntegerGemm.InputOffset);
            var scale = Vector256.Create(inverse);
            var max = Vector256.Create((double)maxMantissa);
            Vector256<double> outside0, outside1, outside2, outside3;
            Vector128<short> low = Sse2.PackSignedSaturate(Quantize4(values[..4], scale, max, rounding, out outside0), Quantize4(values[4..8], scale, max, rounding, out outside1)) + offset;
            Vector128<short> high = Sse2.PackSignedSaturate(Quantize4(values[8..12], scale, max, rounding, out outside2), Quantize4(values[12..16], scale, max, rounding, out outside3)) + offset;
            saturations += BitOperations.PopCount(outside0.ExtractMostSignificantBits() | (outside1.ExtractMostSignificantBits() << 4)
                | (outside2.ExtractMostSignificantBits() << 8) | (outside3.ExtractMostSignificantBits() << 12));
            return Sse2.PackUnsignedSaturate(low, high);
        }

        /// <summary><see cref="QuantizeBytes"/> in float, for an <paramref name="inverse"/> of 1 … 2^127 (exact there).</summary>
        private static Vector128<byte> QuantizeBytesSingle(ReadOnlySpan<float> values, float inverse, int maxMantissa, RoundingMode rounding, ref long saturations)
        {
            var scale = Vector256.Create(inverse);
            var max = Vector256.Create((float)maxMantissa);
            Vector256<int> first = Quantize8(values[..8], scale, max, rounding, out Vector256<float> outside0);
            Vector256<int> second = Quantize8(values[8..16], scale, max, rounding, out Vector256<float> outside1);
            saturations += BitOperations.PopCount(outside0.ExtractMostSignificantBits() | (outside1.ExtractMostSignificantBits() << 8));
            var offset = Vector128.Create((short)IntegerGemm.InputOffset);
            Vector128<short> low = Sse2.PackSignedSaturate(first.GetLower(), first.GetUpper()) + offset;
            Vector128<short> high = Sse2.PackSignedSaturate(second.GetLower(), second.GetUpper()) + offset;
            return Sse2.PackUnsignedSaturate(low, high);
        }

        /// <summary>Transposes 16 × 16 bytes in place: four rounds of interleaving row i with row i + 8 byte by byte.</summary>
        private static void Transpose16(Span<Vector128<byte>> rows)
        {
            Span<Vector128<byte>> next = stackalloc Vector128<byte>[BytesPerBlock];
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < 8; i++)
                {
                    next[2 * i] = Sse2.UnpackLow(rows[i], rows[i + 8]);
                    next[(2 * i) + 1] = Sse2.UnpackHigh(rows[i], rows[i + 8]);
                }

                next.CopyTo(rows);
            }
        }

        /// <summary>Work that spans the whole input: the tensor-wide conversion, or the per-row maxima of I.</summary>
        public void PrepareInput(bool bytesOnly, ParallelOptions parallel)
        {
            if (s.InputPartition.Kind == PartitionKind.Tensor)
            {
                // Converted once per feature-map element (docs/numerics.md: tensor means the whole map as stored).
                ReadOnlySpan<float> input = Input;
                _tensorStep = BfpConverter.StepExponent(BfpConverter.SharedExponent(BfpConverter.MaxAbs(input), _format), _format);
                double inverse = BfpConverter.Pow2(-_tensorStep);
                InputConversions = input.Length;
                _tensorStepPower = (double)g.Groups * g.Batch * g.PixelsPerItem * g.Reduction * BfpConverter.Pow2(2 * _tensorStep);
                if (bytesOnly && _narrow && s.Rounding != RoundingMode.Stochastic && Avx2.IsSupported)
                {
                    // Only the packed kernels read the map: it is converted straight to offset bytes, channel last, by
                    // blocks of 16 channels, while one task sums Σ x² (its order fixes its bits, so it stays one loop).
                    _tensorBytes = ArrayPool<byte>.Shared.Rent((int)g.InputLength);
                    int channelBlocks = (g.InChannels + BytesPerBlock - 1) / BytesPerBlock;
                    long saturations = 0;
                    var gate = new object();
                    Parallel.For(0, 1 + (g.Batch * channelBlocks), parallel, () => 0L, (task, _, local) =>
                    {
                        if (task == 0)
                        {
                            _tensorSignalPower = SignalPower();
                            return local;
                        }

                        int item = (task - 1) / channelBlocks;
                        int first = (task - 1) % channelBlocks * BytesPerBlock;
                        return local + ConvertToBytes(item, first, Math.Min(BytesPerBlock, g.InChannels - first), inverse);
                    },
                    local =>
                    {
                        lock (gate)
                        {
                            saturations += local;
                        }
                    });
                    InputSaturations = saturations;
                    return;
                }

                long saturated = 0;
                if (_narrow)
                {
                    _tensorNarrow = ArrayPool<short>.Shared.Rent(input.Length);
                }
                else
                {
                    _tensorWide = new int[input.Length];
                }

                int start = 0;
                if (_tensorNarrow is not null && s.Rounding != RoundingMode.Stochastic)
                {
                    start = QuantizeVectors(input, inverse, _format.MaxMantissa, s.Rounding, _tensorNarrow, ref saturated);
                }

                for (int i = start; i < input.Length; i++)
                {
                    double uniform = s.Rounding == RoundingMode.Stochastic ? BfpConverter.Uniform(s.StochasticSeed, InputStream, (ulong)i) : 0;
                    int q = BfpConverter.Quantize(input[i], inverse, _format.MaxMantissa, s.Rounding, uniform, out bool isSaturated);
                    saturated += isSaturated ? 1 : 0;
                    if (_tensorNarrow is not null)
                    {
                        _tensorNarrow[i] = (short)q;
                    }
                    else
                    {
                        _tensorWide![i] = q;
                    }
                }

                InputSaturations = saturated;
                _tensorSignalPower = SignalPower();
            }
            else if (s.InputPartition.Kind == PartitionKind.Row)
            {
                // A row of I is one K index across every column (all pixels, all batch items) of a group.
                var rowMax = new float[g.Groups * g.Reduction];
                var column = new float[g.Reduction];
                for (int group = 0; group < g.Groups; group++)
                {
                    for (int n = 0; n < g.Batch * g.PixelsPerItem; n++)
                    {
                        Im2Col(group, n, column);
                        for (int k = 0; k < column.Length; k++)
                        {
                            rowMax[(group * g.Reduction) + k] = MathF.Max(rowMax[(group * g.Reduction) + k], MathF.Abs(column[k]));
                        }
                    }
                }

                _rowSteps = rowMax.Select(m => BfpConverter.StepExponent(BfpConverter.SharedExponent(m, _format), _format)).ToArray();
            }
        }

        public void RunTile(int tile, int group, int firstColumn, TileBuffers b)
        {
            int k = g.Reduction;
            int count = Math.Min(ColumnsPerTile, (g.Batch * g.PixelsPerItem) - firstColumn);
            double stepPower = 0;
            double signalPower = 0;
            for (int c = 0; c < count; c++)
            {
                QuantizeColumn(group, firstColumn + c, b, c);
                if (CapturedExponents is { Length: > 1 } exponents)
                {
                    int offset = ((group * g.Batch * g.PixelsPerItem) + firstColumn + c) * k;
                    for (int j = 0; j < k; j++)
                    {
                        CapturedMantissas![offset + j] = InputMantissa(b, c, j);
                        exponents[offset + j] = b.Steps[c][j] + (_format.MantissaBits - 2);
                    }
                }

                // Block statistics of the four-stage error model: over the im2col matrix, padding zeros included
                // (one block under `tensor`: counted once in PrepareInput).
                if (s.InputPartition.Kind == PartitionKind.Tensor)
                {
                    continue;
                }

                int[] steps = b.Steps[c];
                int lastExponent = int.MinValue;
                double squaredStep = 0;
                for (int j = 0; j < k; j++)
                {
                    if (steps[j] != lastExponent)
                    {
                        lastExponent = steps[j];
                        squaredStep = BfpConverter.Pow2(2 * lastExponent);
                    }

                    stepPower += squaredStep;
                    signalPower += (double)b.Column[j] * b.Column[j];
                }
            }

            TileStepPower[tile] = stepPower;
            TileSignalPower[tile] = signalPower;
            if (_panel is not null)
            {
                for (int c = 0; c < count; c++)
                {
                    long column = ((long)group * g.Batch * g.PixelsPerItem) + firstColumn + c;
                    IntegerGemm.PackColumn(b.Narrow[c], _panel.AsSpan((int)(column * _padded), _padded), g.KernelHeight * g.KernelWidth);
                    _columnSteps![column] = b.Steps[c][0];
                }

                return;
            }

            int filters = g.GroupFilters;
            bool blocked = EightBitExact;
            Span<long> sums = stackalloc long[ColumnsPerTile];
            Span<long> pairSums = stackalloc long[2 * ColumnsPerTile];
            for (int f = 0; f < filters; f++)
            {
                int m = (group * filters) + f;
                if (blocked && f % 2 == 0 && f + 1 < filters)
                {
                    // Two filters by four columns: each loaded vector of mantissas serves four or two products.
                    ReadOnlySpan<short> row0 = w.Narrow.AsSpan(m * k, k);
                    ReadOnlySpan<short> row1 = w.Narrow.AsSpan((m + 1) * k, k);
                    int c4 = 0;
                    for (; c4 + 4 <= count; c4 += 4)
                    {
                        IntegerDot.Dot2x4(row0, row1, b.Narrow[c4], b.Narrow[c4 + 1], b.Narrow[c4 + 2], b.Narrow[c4 + 3], pairSums.Slice(c4, 4), pairSums.Slice(ColumnsPerTile + c4, 4));
                    }

                    for (; c4 < count; c4++)
                    {
                        pairSums[c4] = IntegerDot.Dot(row0, b.Narrow[c4], narrow: true);
                        pairSums[ColumnsPerTile + c4] = IntegerDot.Dot(row1, b.Narrow[c4], narrow: true);
                    }
                }

                if (blocked)
                {
                    if (f % 2 == 0 && f + 1 < filters)
                    {
                        pairSums[..ColumnsPerTile].CopyTo(sums);
                    }
                    else if (f % 2 == 1)
                    {
                        pairSums.Slice(ColumnsPerTile, ColumnsPerTile).CopyTo(sums);
                    }
                    else
                    {
                        ReadOnlySpan<short> row = w.Narrow.AsSpan(m * k, k);
                        int c4 = 0;
                        for (; c4 + 4 <= count; c4 += 4)
                        {
                            IntegerDot.Dot4(row, b.Narrow[c4], b.Narrow[c4 + 1], b.Narrow[c4 + 2], b.Narrow[c4 + 3], sums.Slice(c4, 4));
                        }

                        for (; c4 < count; c4++)
                        {
                            sums[c4] = IntegerDot.Dot(row, b.Narrow[c4], narrow: true);
                        }
                    }
                }

                for (int c = 0; c < count; c++)
                {
                    int n = firstColumn + c;
                    int item = n / g.PixelsPerItem;
                    int pixel = n % g.PixelsPerItem;
                    long outIndex = ((((long)item * g.OutChannels) + m) * g.PixelsPerItem) + pixel;
                    Output[outIndex] = SingleScale ? OneScale(m, n, b, c, k, blocked ? sums[c] : null) : Segmented(m, b, c, k);
                }
            }
        }

        public void Absorb(TileBuffers b)
        {
            lock (_gate)
            {
                InputSaturations += b.InputSaturations;
                AccumulatorSaturations += b.AccumulatorSaturations;
                InputConversions += b.InputConversions;
            }
        }

        private void Im2Col(int group, int n, Span<float> column) =>
            g.Im2Col<float>(input, n / g.PixelsPerItem, group, (n % g.PixelsPerItem) / g.OutWidth, n % g.OutWidth, column);

        private void QuantizeColumn(int group, int n, TileBuffers b, int slot)
        {
            int k = g.Reduction;
            int item = n / g.PixelsPerItem;
            int oh = (n % g.PixelsPerItem) / g.OutWidth;
            int ow = n % g.OutWidth;
            int[] steps = b.Steps[slot];
            if (s.InputPartition.Kind == PartitionKind.Tensor)
            {
                if (_tensorNarrow is not null)
                {
                    g.Im2Col<short>(_tensorNarrow, item, group, oh, ow, b.Narrow[slot]);
                }
                else
                {
                    g.Im2Col<int>(_tensorWide!, item, group, oh, ow, b.Wide[slot]);
                }

                if (steps[0] != _tensorStep || steps[^1] != _tensorStep)
                {
                    Array.Fill(steps, _tensorStep);
                }

                return;
            }

            float[] column = b.Column;
            g.Im2Col<float>(input, item, group, oh, ow, column);
            int blockSize = s.InputPartition.Kind switch
            {
                PartitionKind.Column => k,
                PartitionKind.Group => s.InputPartition.GroupSize,
                _ => 1,
            };
            for (int start = 0; start < k; start += blockSize)
            {
                int length = Math.Min(blockSize, k - start);
                int step = s.InputPartition.Kind == PartitionKind.Row
                    ? _rowSteps![(group * k) + start]
                    : BfpConverter.StepExponent(BfpConverter.SharedExponent(BfpConverter.MaxAbs(column.AsSpan(start, length)), _format), _format);
                double inverse = BfpConverter.Pow2(-step);
                for (int j = start; j < start + length; j++)
                {
                    double uniform = s.Rounding == RoundingMode.Stochastic
                        ? BfpConverter.Uniform(s.StochasticSeed, InputStream + 1 + (ulong)group, ((ulong)n * (ulong)k) + (ulong)j)
                        : 0;
                    int q = BfpConverter.Quantize(column[j], inverse, _format.MaxMantissa, s.Rounding, uniform, out bool saturated);
                    b.InputSaturations += saturated ? 1 : 0;
                    if (_narrow)
                    {
                        b.Narrow[slot][j] = (short)q;
                    }
                    else
                    {
                        b.Wide[slot][j] = q;
                    }

                    steps[j] = step;
                }
            }

            b.InputConversions += k;
        }

        private long ExactDot(int m, TileBuffers b, int slot, int from, int length)
        {
            int k = g.Reduction;
            if (_narrow)
            {
                bool small = w.Format.MantissaBits <= 8 && _format.MantissaBits <= 8;
                return IntegerDot.Dot(w.Narrow.AsSpan((m * k) + from, length), b.Narrow[slot].AsSpan(from, length), small);
            }

            long total = 0;
            for (int j = from; j < from + length; j++)
            {
                total += (long)w.Mantissa(m, j) * InputMantissa(b, slot, j);
            }

            return total;
        }

        private int InputMantissa(TileBuffers b, int slot, int j) => _narrow ? b.Narrow[slot][j] : b.Wide[slot][j];

        private float OneScale(int m, int n, TileBuffers b, int slot, int k, long? precomputedSum)
        {
            int scale = w.StepExponent(m, 0) + b.Steps[slot][0];
            if (s.AccumulatorBits is { } bits)
            {
                double biasQuantized = QuantizedBias(m, n, scale);
                long max = (1L << (bits - 1)) - 1;
                long min = -max - 1;
                long acc = 0;
                for (int j = 0; j < k; j++)
                {
                    long next = acc + ((long)w.Mantissa(m, j) * InputMantissa(b, slot, j));
                    acc = Saturate(next, min, max, b);
                }

                long biasInRange = (long)Math.Clamp(biasQuantized, min, max);
                acc = Saturate(acc + biasInRange, min, max, b);
                return (float)(acc * BfpConverter.Pow2(scale));
            }

            return Finish(m, n, scale, precomputedSum ?? ExactDot(m, b, slot, 0, k));
        }

        /// <summary>The bias in units of the output's scale 2^<paramref name="scale"/>, rounded as the accumulator holds it.</summary>
        private double QuantizedBias(int m, int n, int scale)
        {
            double biasValue = bias.Length == 0 ? 0 : bias[m];
            double uniform = s.Rounding == RoundingMode.Stochastic ? BfpConverter.Uniform(s.StochasticSeed, BiasStream, ((ulong)m * (ulong)(g.Batch * g.PixelsPerItem)) + (ulong)n) : 0;
            return BfpConverter.RoundScaled(biasValue * BfpConverter.Pow2(-scale), s.Rounding, uniform);
        }

        /// <summary><see cref="Finish"/> for many outputs of a few filters: the scale's power of two and the quantized bias
        /// are kept per filter while the scale stays the same (they depend only on filter and scale, unless rounding is
        /// stochastic), and the sum plus bias is added in int64 where that is exact.</summary>
        private sealed class Finisher(Job job, int filters)
        {
            // Biases of 2^62 and beyond take Finish's general path (int64 could overflow).
            private const double LongBiasLimit = 4.611686018427388e18;
            private readonly int[] _weightSteps = Enumerable.Repeat(int.MinValue, filters).ToArray();
            private readonly int[] _scales = new int[filters];
            private readonly double[] _powers = new double[filters];
            private readonly long[] _biases = new long[filters];
            private readonly bool[] _general = new bool[filters];

            /// <summary>For filters firstM … firstM + filters − 1 under one column step and a deterministic rounding:
            /// each filter's quantized bias and power of two, so that Round(f, …, sum) is
            /// (float)((double)(sum + biases[f]) · powers[f]); false where a bias takes Finish's general path.</summary>
            public bool TryUniform(int firstM, int n, int columnStep, out long[] biases, out double[] powers)
            {
                biases = _biases;
                powers = _powers;
                for (int slot = 0; slot < _biases.Length; slot++)
                {
                    int m = firstM + slot;
                    int scale = job.Weights.StepExponent(m, 0) + columnStep;
                    double bias = job.QuantizedBias(m, n, scale);
                    if (Math.Abs(bias) >= LongBiasLimit)
                    {
                        return false;
                    }

                    _biases[slot] = (long)bias;
                    _powers[slot] = BfpConverter.Pow2(scale);
                }

                return true;
            }

            public float Round(int slot, int m, int n, int columnStep, long sum)
            {
                if (_weightSteps[slot] == int.MinValue)
                {
                    _weightSteps[slot] = job.Weights.StepExponent(m, 0);
                    _scales[slot] = int.MinValue;
                }

                int scale = _weightSteps[slot] + columnStep;
                if (job.Settings.Rounding == RoundingMode.Stochastic)
                {
                    return job.Finish(m, n, scale, sum);
                }

                if (scale != _scales[slot])
                {
                    _scales[slot] = scale;
                    double bias = job.QuantizedBias(m, n, scale);
                    _general[slot] = Math.Abs(bias) >= LongBiasLimit;
                    _biases[slot] = _general[slot] ? 0 : (long)bias;
                    _powers[slot] = BfpConverter.Pow2(scale);
                }

                // Exact: |sum| and |bias| are below 2^62, and (double)long rounds as (double)Int128 does.
                return _general[slot] ? job.Finish(m, n, scale, sum) : (float)((double)(sum + _biases[slot]) * _powers[slot]);
            }
        }

        /// <summary>An exact (unbounded) accumulator's sum plus the bias, rounded once to float32.</summary>
        private float Finish(int m, int n, int scale, long sum)
        {
            double biasQuantized = QuantizedBias(m, n, scale);
            if (Math.Abs(biasQuantized) >= 1.2676506002282294e30)
            {
                // 2^100 and beyond: the integer sum is below half an ulp of such a bias, so the exact total rounds to the bias.
                return (float)(biasQuantized * BfpConverter.Pow2(scale));
            }

            Int128 total = (Int128)sum + (Int128)biasQuantized;
            return (float)((double)total * BfpConverter.Pow2(scale));
        }

        private static long Saturate(long value, long min, long max, TileBuffers b)
        {
            if (value > max || value < min)
            {
                b.AccumulatorSaturations++;
                return value > max ? max : min;
            }

            return value;
        }

        private float Segmented(int m, TileBuffers b, int slot, int k)
        {
            double total = 0;
            int start = 0;
            while (start < k)
            {
                int scale = w.StepExponent(m, start) + b.Steps[slot][start];
                int end = start + 1;
                while (end < k && w.StepExponent(m, end) + b.Steps[slot][end] == scale && !Boundary(end))
                {
                    end++;
                }

                total += ExactDot(m, b, slot, start, end - start) * BfpConverter.Pow2(scale);
                start = end;
            }

            total += bias.Length == 0 ? 0 : bias[m];
            return (float)total;
        }

        /// <summary>Where a block of W or of I starts: segments never span two blocks, even when their scales happen to agree.</summary>
        private bool Boundary(int k) =>
            w.Partition.Kind == PartitionKind.Column || s.InputPartition.Kind == PartitionKind.Row
            || (w.Partition.Kind == PartitionKind.Group && k % w.Partition.GroupSize == 0)
            || (s.InputPartition.Kind == PartitionKind.Group && k % s.InputPartition.GroupSize == 0);
    }
}
