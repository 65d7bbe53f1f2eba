using System.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>A layer's weights converted once, offline, to an MX format or NVFP4: codes [OutChannels × K] and each row's
/// blocks along K.</summary>
public sealed class MxWeights
{
    internal MxWeights(ConvShape geometry, MxFormat format, long[] codes, MxBlock[] blocks, float tensorScale, long saturations, double stepPower, double signalPower)
    {
        Geometry = geometry;
        Format = format;
        Codes = codes;
        Blocks = blocks;
        TensorScale = tensorScale;
        Saturations = saturations;
        StepPower = stepPower;
        SignalPower = signalPower;
    }

    /// <summary>The layer the weights belong to.</summary>
    public ConvShape Geometry { get; }

    /// <summary>The weights' format.</summary>
    public MxFormat Format { get; }

    /// <summary>Element codes, row-major [OutChannels, K].</summary>
    public long[] Codes { get; }

    /// <summary>Blocks, row-major [OutChannels, BlocksPerRow].</summary>
    public MxBlock[] Blocks { get; }

    /// <summary>NVFP4's per-tensor scale (1 for the MX formats).</summary>
    public float TensorScale { get; }

    /// <summary>Elements saturated to the largest normal.</summary>
    public long Saturations { get; }

    /// <summary>Σ (local step)² over the weights (four-stage model, stage 2; docs/mx-formats.md).</summary>
    public double StepPower { get; }

    /// <summary>Σ w² over the weights.</summary>
    public double SignalPower { get; }

    /// <summary>Blocks in one row of K.</summary>
    public int BlocksPerRow => (Geometry.Reduction + Format.BlockSize - 1) / Format.BlockSize;
}

/// <summary>The datapath of docs/mx-formats.md for layers whose weights and inputs are both MX or NVFP4: element products
/// exact, each block product's integer sum scaled once by its two block scales, the block products summed as
/// <see cref="MxOptions.Accumulation"/> says.</summary>
/// <remarks>The reduction axis K is cut where a block of either operand starts (every 16 or 32 elements: NVFP4's blocks
/// are 16 long, the MX formats' 32, so the shorter divides the longer).</remarks>
public static class MxDatapath
{
    private const int ColumnsPerTile = 16;

    /// <summary>Converts a layer's weights [M, K] row by row, in blocks along K.</summary>
    public static MxWeights QuantizeWeights(ConvShape g, ReadOnlySpan<float> weights, MxFormat format, MxOptions options, string layerName)
    {
        if (weights.Length != g.WeightLength)
        {
            throw new ArgumentException($"layer '{layerName}': {weights.Length} weights given, {g.WeightLength} expected", nameof(weights));
        }

        NonFiniteValueException.ThrowIfAny(weights, layerName, "weights");
        int k = g.Reduction;
        int rows = g.OutChannels;
        int perRow = (k + format.BlockSize - 1) / format.BlockSize;
        var codes = new long[weights.Length];
        var blocks = new MxBlock[rows * perRow];
        float tensorScale = format.IsNvfp4 ? MxConverter.Nvfp4TensorScale(MxConverter.MaxAbsFinite(weights)) : 1f;
        long saturations = 0;
        for (int m = 0; m < rows; m++)
        {
            saturations += MxConverter.ConvertRow(weights.Slice(m * k, k), format, options, tensorScale,
                codes.AsSpan(m * k, k), blocks.AsSpan(m * perRow, perRow));
        }

        (double stepPower, double signalPower) = Powers(weights, blocks, format, tensorScale, k, perRow);
        return new MxWeights(g, format, codes, blocks, tensorScale, saturations, stepPower, signalPower);
    }

    /// <summary>One conv/FC layer: the input converted per im2col column in blocks along K, every output's dot product
    /// through the block products, the bias added as the accumulation mode says.</summary>
    public static BfpLayerOutput Convolve(
        ConvShape g, ReadOnlySpan<float> input, MxWeights w, ReadOnlySpan<float> bias, MxFormat inputFormat, MxOptions options,
        string layerName, int maxDegreeOfParallelism, bool captureInput = false)
    {
        if (input.Length != g.InputLength)
        {
            throw new ArgumentException($"layer '{layerName}': input has {input.Length} values, {g.InputLength} expected", nameof(input));
        }

        NonFiniteValueException.ThrowIfAny(input, layerName, "input");
        NonFiniteValueException.ThrowIfAny(bias, layerName, "bias");
        var job = new Job(g, w, inputFormat, options, input.ToArray(), bias.ToArray(), captureInput);
        int columns = g.Batch * g.PixelsPerItem;
        int tilesPerGroup = (columns + ColumnsPerTile - 1) / ColumnsPerTile;
        int tiles = g.Groups * tilesPerGroup;
        var tileStats = new TileStats[tiles];
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) },
            tile => tileStats[tile] = job.RunTile(tile / tilesPerGroup, (tile % tilesPerGroup) * ColumnsPerTile));

        // Summed in tile order, so the figures do not depend on the thread count.
        long saturations = 0;
        double stepPower = 0;
        double signalPower = 0;
        foreach (TileStats t in tileStats)
        {
            saturations += t.Saturations;
            stepPower += t.StepPower;
            signalPower += t.SignalPower;
        }

        return new BfpLayerOutput(job.Output, saturations, w.Saturations, job.AccumulatorSaturations, (long)g.Groups * columns * g.Reduction, stepPower, signalPower)
        {
            CapturedInputMantissas = job.CapturedCodes,
            CapturedInputExponents = job.CapturedScales,
        };
    }

    /// <summary>The sum of a dot product's block products, exactly or through a float32 accumulator, with the tensor
    /// scales and the bias applied as docs/mx-formats.md says.</summary>
    internal static float Finish(ref ExactSum exact, float fp32, MxAccumulation accumulation, float weightScale, float inputScale, double bias)
    {
        if (accumulation == MxAccumulation.Exact)
        {
            (BigInteger mantissa, int exponent) = exact.Value;
            // Tensor scales are float32: their product is exact in double (48 significant bits at most).
            (long significand, int scaleExponent) = ExactSum.Decompose((double)weightScale * inputScale);
            BigInteger scaled = mantissa * significand;
            int at = exponent + scaleExponent;
            if (bias != 0)
            {
                (long b, int be) = ExactSum.Decompose(bias);
                int low = Math.Min(at, be);
                scaled = (scaled << (at - low)) + ((BigInteger)b << (be - low));
                at = low;
            }

            return ExactSum.RoundToSingle(scaled, at);
        }

        // The epilogue of a float32 accumulator: alpha = s_W·s_I as one float32, one rounded multiply, one rounded add.
        float alpha = (float)((double)weightScale * inputScale);
        float y = (float)((double)fp32 * alpha);
        return (float)((double)y + bias);
    }

    private static (double StepPower, double SignalPower) Powers(ReadOnlySpan<float> values, MxBlock[] blocks, MxFormat format, float tensorScale, int k, int perRow)
    {
        double stepPower = 0;
        double signalPower = 0;
        for (int i = 0; i < values.Length; i++)
        {
            int row = i / k;
            MxBlock block = blocks[(row * perRow) + ((i % k) / format.BlockSize)];
            double x = values[i];
            signalPower += x * x;
            stepPower += SquaredStep(x, block, format.Element, tensorScale);
        }

        return (stepPower, signalPower);
    }

    /// <summary>(local step)²: the step of the element grid at |x| in its block; 0 for a zero (exactly represented).</summary>
    private static double SquaredStep(double x, MxBlock block, MxElementFormat element, float tensorScale)
    {
        if (x == 0 || block.ScaleSignificand == 0)
        {
            return x == 0 ? 0 : x * x;
        }

        double unitValue = block.ScaleSignificand * BfpConverter.Pow2(block.ScaleExponent - element.UnitExponent) * tensorScale;
        double step = BfpConverter.Pow2(element.StepExponentAt(Math.Abs(x) / unitValue)) * unitValue;
        return step * step;
    }

    private readonly record struct TileStats(long Saturations, double StepPower, double SignalPower);

    private sealed class Job(ConvShape g, MxWeights w, MxFormat inputFormat, MxOptions options, float[] input, float[] bias, bool capture)
    {
        private readonly float _inputScale = inputFormat.IsNvfp4 ? MxConverter.Nvfp4TensorScale(MxConverter.MaxAbsFinite(input)) : 1f;
        private readonly int _segment = Math.Min(w.Format.BlockSize, inputFormat.BlockSize);
        private long _accumulatorSaturations;

        /// <summary>Additions the fixed-point accumulator saturated.</summary>
        public long AccumulatorSaturations => Interlocked.Read(ref _accumulatorSaturations);

        private readonly bool _wide = (double)w.Format.Element.MaxCode * inputFormat.Element.MaxCode * Math.Min(w.Format.BlockSize, inputFormat.BlockSize) >= Math.Pow(2, 62);

        public float[] Output { get; } = new float[g.OutputLength];

        public int[]? CapturedCodes { get; } = capture ? new int[(long)g.Groups * g.Batch * g.PixelsPerItem * g.Reduction] : null;

        public int[]? CapturedScales { get; } = capture ? new int[(long)g.Groups * g.Batch * g.PixelsPerItem * g.Reduction] : null;

        public TileStats RunTile(int group, int firstColumn)
        {
            int k = g.Reduction;
            int perRow = (k + inputFormat.BlockSize - 1) / inputFormat.BlockSize;
            int count = Math.Min(ColumnsPerTile, (g.Batch * g.PixelsPerItem) - firstColumn);
            var column = new float[k];
            var codes = new long[k];
            var blocks = new MxBlock[perRow];
            long saturations = 0;
            double stepPower = 0;
            double signalPower = 0;
            for (int c = 0; c < count; c++)
            {
                int n = firstColumn + c;
                int item = n / g.PixelsPerItem;
                int pixel = n % g.PixelsPerItem;
                g.Im2Col<float>(input, item, group, pixel / g.OutWidth, pixel % g.OutWidth, column);
                saturations += MxConverter.ConvertRow(column, inputFormat, options, _inputScale, codes, blocks);
                (double step, double signal) = Powers(column, blocks, inputFormat, _inputScale, k, perRow);
                stepPower += step;
                signalPower += signal;
                if (CapturedCodes is not null)
                {
                    long offset = (((long)group * g.Batch * g.PixelsPerItem) + n) * k;
                    for (int j = 0; j < k; j++)
                    {
                        CapturedCodes[offset + j] = (int)Math.Clamp(codes[j], int.MinValue, int.MaxValue);
                        CapturedScales![offset + j] = blocks[j / inputFormat.BlockSize].ScaleCode;
                    }
                }

                for (int f = 0; f < g.GroupFilters; f++)
                {
                    int m = (group * g.GroupFilters) + f;
                    long outIndex = ((((long)item * g.OutChannels) + m) * g.PixelsPerItem) + pixel;
                    Output[outIndex] = Dot(m, codes, blocks);
                }
            }

            return new TileStats(saturations, stepPower, signalPower);
        }

        private float Dot(int m, long[] inputCodes, MxBlock[] inputBlocks)
        {
            int k = g.Reduction;
            ReadOnlySpan<long> weightCodes = w.Codes.AsSpan(m * k, k);
            int weightBase = m * w.BlocksPerRow;
            var exact = new ExactSum();
            float fp32 = 0;
            Int128 fixedSum = 0;
            bool fixedPoint = options.Accumulation == MxAccumulation.Fixed;
            for (int start = 0; start < k; start += _segment)
            {
                int end = Math.Min(k, start + _segment);
                MxBlock wb = w.Blocks[weightBase + (start / w.Format.BlockSize)];
                MxBlock ib = inputBlocks[start / inputFormat.BlockSize];
                Int128 sum = 0;
                if (_wide)
                {
                    for (int j = start; j < end; j++)
                    {
                        sum += (Int128)weightCodes[j] * inputCodes[j];
                    }
                }
                else
                {
                    long narrow = 0;
                    for (int j = start; j < end; j++)
                    {
                        narrow += weightCodes[j] * inputCodes[j];
                    }

                    sum = narrow;
                }

                if (sum == 0)
                {
                    continue;
                }

                Int128 term = sum * ((Int128)wb.ScaleSignificand * ib.ScaleSignificand);
                int exponent = wb.ScaleExponent + ib.ScaleExponent;
                if (options.Accumulation == MxAccumulation.Exact)
                {
                    exact.Add(term, exponent);
                }
                else if (fixedPoint)
                {
                    fixedSum = SaturatingAdd(fixedSum, OntoGrid(term, exponent, options.AccumulatorLsb), options.AccumulatorBits);
                }
                else
                {
                    float blockProduct = Int128.Abs(term) < ((Int128)1 << 53)
                        ? (float)((double)term * BfpConverter.Pow2(exponent))
                        : ExactSum.RoundToSingle((BigInteger)term, exponent);
                    fp32 = (float)((double)fp32 + blockProduct);
                }
            }

            double biasValue = bias.Length == 0 ? 0 : bias[m];
            if (fixedPoint)
            {
                // The bias joins on the same grid, last; then one rounding of sum·2^lsb·s_W·s_I to float32.
                (long b, int be) = biasValue == 0 ? (0L, 0) : ExactSum.Decompose(biasValue);
                fixedSum = SaturatingAdd(fixedSum, OntoGrid(b, be, options.AccumulatorLsb), options.AccumulatorBits);
                (long significand, int scaleExponent) = ExactSum.Decompose((double)w.TensorScale * _inputScale);
                return ExactSum.RoundToSingle((BigInteger)fixedSum * significand, options.AccumulatorLsb + scaleExponent);
            }

            return Finish(ref exact, fp32, options.Accumulation, w.TensorScale, _inputScale, biasValue);
        }

        /// <summary>value·2^exponent as a count of 2^lsb steps, rounded to nearest even (saturated far beyond any accumulator).</summary>
        private static Int128 OntoGrid(Int128 value, int exponent, int lsb)
        {
            if (value == 0)
            {
                return 0;
            }

            int shift = exponent - lsb;
            if (shift >= 0)
            {
                // Beyond 2^126 the value saturates any accumulator this option allows (126 bits at most).
                return shift > 125 || Int128.Abs(value) > (Int128.MaxValue >> shift) ? (value > 0 ? Int128.MaxValue : -Int128.MaxValue) : value << shift;
            }

            if (-shift > 126)
            {
                return 0; // below half a step: rounds to 0
            }

            Int128 magnitude = Int128.Abs(value);
            Int128 quotient = magnitude >> -shift;
            Int128 remainder = magnitude - (quotient << -shift);
            Int128 half = Int128.One << (-shift - 1);
            if (remainder > half || (remainder == half && (quotient & 1) == 1))
            {
                quotient += 1;
            }

            return value > 0 ? quotient : -quotient;
        }

        private Int128 SaturatingAdd(Int128 sum, Int128 addend, int bits)
        {
            Int128 max = (Int128.One << (bits - 1)) - 1;
            Int128 min = -max - 1;
            // Both operands lie within ±2^126 (the accumulator within its bits, the addend clamped by OntoGrid), so the sum cannot overflow Int128.
            Int128 clamped = addend > Int128.MaxValue / 2 ? Int128.MaxValue / 2 : addend < -(Int128.MaxValue / 2) ? -(Int128.MaxValue / 2) : addend;
            Int128 next = sum + clamped;
            if (next > max || next < min)
            {
                Interlocked.Increment(ref _accumulatorSaturations);
                return next > max ? max : min;
            }

            return next;
        }
    }
}
