using System.Numerics;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Support;

/// <summary>
/// A deliberately plain implementation of the numeric contract in docs/numerics.md, written from the text and sharing no code with the library:
/// exponents from <see cref="Math.ILogB(double)"/>, explicit im2col matrices, <see cref="BigInteger"/> sums.
/// Slow; for small layers only. Stochastic rounding is not covered (it is not bit-exact across implementations).
/// </summary>
public static class NaiveBfp
{
    public sealed record Result(float[] Output, long WeightSaturations, long InputSaturations, long AccumulatorSaturations);

    public static Result Convolve(ConvShape g, float[] input, float[] weights, float[] bias, BfpSettings s)
    {
        int outH = ((g.InHeight + g.PadTop + g.PadBottom - (g.DilationHeight * (g.KernelHeight - 1)) - 1) / g.StrideHeight) + 1;
        int outW = ((g.InWidth + g.PadLeft + g.PadRight - (g.DilationWidth * (g.KernelWidth - 1)) - 1) / g.StrideWidth) + 1;
        int cg = g.InChannels / g.Groups;
        int mg = g.OutChannels / g.Groups;
        int k = cg * g.KernelHeight * g.KernelWidth;
        int n = g.Batch * outH * outW;
        var output = new float[g.Batch * g.OutChannels * outH * outW];
        long weightSat = 0;
        long inputSat = 0;
        long accSat = 0;

        // I under `tensor`: one exponent over the whole stored feature map, elements converted once each.
        int tensorInputStep = Step(input, s.Inputs);
        var tensorInputQ = new long[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            tensorInputQ[i] = Q(input[i], tensorInputStep, s.Inputs, s.Rounding, ref inputSat);
        }

        if (s.InputPartition.Kind != PartitionKind.Tensor)
        {
            inputSat = 0;
        }

        // W as M×K per group, one filter per row.
        var wq = new long[g.OutChannels, k];
        var ws = new int[g.OutChannels, k];
        for (int m = 0; m < g.OutChannels; m++)
        {
            for (int j = 0; j < k; j++)
            {
                float[] block = WeightBlock(m, j, out _);
                ws[m, j] = Step(block, s.Weights);
                wq[m, j] = Q(weights[(m * k) + j], ws[m, j], s.Weights, s.Rounding, ref weightSat);
            }
        }

        for (int group = 0; group < g.Groups; group++)
        {
            // The im2col matrix I (K×N) of this group, padding zeros included, K order: channel, kernel row, kernel column.
            var im = new float[k, n];
            var imIndex = new int[k, n];
            for (int col = 0; col < n; col++)
            {
                int item = col / (outH * outW);
                int oh = col % (outH * outW) / outW;
                int ow = col % outW;
                int j = 0;
                for (int c = 0; c < cg; c++)
                {
                    for (int r = 0; r < g.KernelHeight; r++)
                    {
                        for (int t = 0; t < g.KernelWidth; t++)
                        {
                            int ih = (oh * g.StrideHeight) - g.PadTop + (r * g.DilationHeight);
                            int iw = (ow * g.StrideWidth) - g.PadLeft + (t * g.DilationWidth);
                            bool inside = ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth;
                            int index = inside ? ((((item * g.InChannels) + (group * cg) + c) * g.InHeight) + ih) * g.InWidth + iw : -1;
                            im[j, col] = inside ? input[index] : 0f;
                            imIndex[j, col] = index;
                            j++;
                        }
                    }
                }
            }

            var iq = new long[k, n];
            var isteps = new int[k, n];
            for (int col = 0; col < n; col++)
            {
                for (int j = 0; j < k; j++)
                {
                    if (s.InputPartition.Kind == PartitionKind.Tensor)
                    {
                        isteps[j, col] = tensorInputStep;
                        iq[j, col] = imIndex[j, col] < 0 ? 0 : tensorInputQ[imIndex[j, col]];
                        continue;
                    }

                    var block = new List<float>();
                    for (int jj = 0; jj < k; jj++)
                    {
                        for (int cc = 0; cc < n; cc++)
                        {
                            bool same = s.InputPartition.Kind switch
                            {
                                PartitionKind.Column => cc == col,
                                PartitionKind.Row => jj == j,
                                _ => cc == col && jj / s.InputPartition.GroupSize == j / s.InputPartition.GroupSize,
                            };
                            if (same)
                            {
                                block.Add(im[jj, cc]);
                            }
                        }
                    }

                    isteps[j, col] = Step(block.ToArray(), s.Inputs);
                    iq[j, col] = Q(im[j, col], isteps[j, col], s.Inputs, s.Rounding, ref inputSat);
                }
            }

            bool singleScale = s.WeightPartition.Kind is PartitionKind.Tensor or PartitionKind.Row
                && s.InputPartition.Kind is PartitionKind.Tensor or PartitionKind.Column;
            for (int f = 0; f < mg; f++)
            {
                int m = (group * mg) + f;
                for (int col = 0; col < n; col++)
                {
                    int item = col / (outH * outW);
                    int pixel = col % (outH * outW);
                    float y;
                    if (singleScale)
                    {
                        double scale = Math.Pow(2, ws[m, 0] + isteps[0, col]);
                        double bq = Round((bias.Length == 0 ? 0 : bias[m]) / scale, s.Rounding);
                        if (s.AccumulatorBits is { } bits)
                        {
                            BigInteger max = (BigInteger.One << (bits - 1)) - 1;
                            BigInteger min = -max - 1;
                            BigInteger acc = 0;
                            for (int j = 0; j < k; j++)
                            {
                                acc = Clamp(acc + (wq[m, j] * iq[j, col]), min, max, ref accSat);
                            }

                            BigInteger b = (BigInteger)bq;
                            b = b > max ? max : b < min ? min : b;
                            acc = Clamp(acc + b, min, max, ref accSat);
                            y = (float)((double)acc * scale);
                        }
                        else
                        {
                            BigInteger acc = (BigInteger)bq;
                            for (int j = 0; j < k; j++)
                            {
                                acc += wq[m, j] * iq[j, col];
                            }

                            y = (float)((double)acc * scale);
                        }
                    }
                    else
                    {
                        // Segments: runs of K inside one W block and one I block; exact within, double across, bias last.
                        double total = 0;
                        int start = 0;
                        while (start < k)
                        {
                            int end = start + 1;
                            while (end < k && SameBlock(start, end))
                            {
                                end++;
                            }

                            BigInteger part = 0;
                            for (int j = start; j < end; j++)
                            {
                                part += wq[m, j] * iq[j, col];
                            }

                            total += (double)part * Math.Pow(2, ws[m, start] + isteps[start, col]);
                            start = end;
                        }

                        y = (float)(total + (bias.Length == 0 ? 0 : bias[m]));
                    }

                    output[(((item * g.OutChannels) + m) * outH * outW) + pixel] = y;
                }
            }
        }

        return new Result(output, weightSat, inputSat, accSat);

        float[] WeightBlock(int m, int j, out int blockId)
        {
            var block = new List<float>();
            blockId = 0;
            for (int mm = 0; mm < g.OutChannels; mm++)
            {
                for (int jj = 0; jj < k; jj++)
                {
                    bool same = s.WeightPartition.Kind switch
                    {
                        PartitionKind.Tensor => true,
                        PartitionKind.Row => mm == m,
                        PartitionKind.Column => jj == j,
                        _ => mm == m && jj / s.WeightPartition.GroupSize == j / s.WeightPartition.GroupSize,
                    };
                    if (same)
                    {
                        block.Add(weights[(mm * k) + jj]);
                    }
                }
            }

            return block.ToArray();
        }

        bool SameBlock(int a, int b) =>
            s.WeightPartition.Kind != PartitionKind.Column && s.InputPartition.Kind != PartitionKind.Row
            && (s.WeightPartition.Kind != PartitionKind.Group || a / s.WeightPartition.GroupSize == b / s.WeightPartition.GroupSize)
            && (s.InputPartition.Kind != PartitionKind.Group || a / s.InputPartition.GroupSize == b / s.InputPartition.GroupSize);
    }

    /// <summary>log2 Δ of a block: e = max floor(log2|x|) over non-zero x, e_min for an all-zero block, clamped; minus (L − 2).</summary>
    public static int Step(float[] block, BfpFormat f)
    {
        int bias = (1 << (f.ExponentBits - 1)) - 1;
        int eMin = 1 - bias;
        int eMax = bias;
        int e = int.MinValue;
        foreach (float x in block)
        {
            if (x != 0)
            {
                e = Math.Max(e, Math.ILogB((double)x));
            }
        }

        e = e == int.MinValue ? eMin : Math.Min(Math.Max(e, eMin), eMax);
        return e - (f.MantissaBits - 2);
    }

    public static long Q(float x, int step, BfpFormat f, RoundingMode r, ref long saturations)
    {
        long q = (long)Round(x / Math.Pow(2, step), r);
        long limit = (1L << (f.MantissaBits - 1)) - 1;
        if (Math.Abs(q) > limit)
        {
            saturations++;
            return Math.Sign(q) * limit;
        }

        return q;
    }

    public static double Round(double v, RoundingMode r) => r switch
    {
        RoundingMode.NearestEven => Math.Round(v, MidpointRounding.ToEven),
        RoundingMode.TowardZero => Math.Truncate(v),
        RoundingMode.TowardPositive => Math.Ceiling(v),
        RoundingMode.TowardNegative => Math.Floor(v),
        _ => throw new NotSupportedException("stochastic rounding is not modelled by the naive implementation"),
    };

    private static BigInteger Clamp(BigInteger v, BigInteger min, BigInteger max, ref long saturations)
    {
        if (v > max || v < min)
        {
            saturations++;
            return v > max ? max : min;
        }

        return v;
    }
}
