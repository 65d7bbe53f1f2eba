using System.Numerics;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

/// <summary>The MX/NVFP4 datapath held bit for bit to a plain implementation: explicit im2col, the reference converters of
/// <see cref="MxReference"/>, block products summed exactly in big integers.</summary>
public sealed class MxDatapathTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var random = new Random(3131);
        (MxFormat W, MxFormat I)[] pairs =
        [
            (MxFormat.MxFp8E4M3, MxFormat.MxFp8E4M3), (MxFormat.MxFp8E5M2, MxFormat.MxFp8E5M2), (MxFormat.MxInt8, MxFormat.MxInt8),
            (MxFormat.MxFp6E3M2, MxFormat.MxFp6E2M3), (MxFormat.MxFp4E2M1, MxFormat.MxFp8E4M3), (MxFormat.Nvfp4, MxFormat.Nvfp4),
            (MxFormat.Nvfp4, MxFormat.MxFp8E5M2),
        ];
        int index = 0;
        foreach ((MxFormat w, MxFormat i) in pairs)
        {
            foreach (MxAccumulation accumulation in new[] { MxAccumulation.Exact, MxAccumulation.Fp32, MxAccumulation.Fixed })
            {
                int groups = random.Next(1, 3);
                int kernel = random.Next(1, 4);
                var g = new ConvShape(
                    Batch: random.Next(1, 3), InChannels: groups * random.Next(4, 13), InHeight: random.Next(3, 6), InWidth: random.Next(3, 6),
                    OutChannels: groups * random.Next(1, 4), KernelHeight: kernel, KernelWidth: kernel, StrideHeight: 1,
                    StrideWidth: random.Next(1, 3), PadTop: random.Next(0, 2), PadLeft: random.Next(0, 2), PadBottom: random.Next(0, 2),
                    PadRight: random.Next(0, 2), DilationHeight: 1, DilationWidth: 1, Groups: groups);
                MxRounding rounding = index % 2 == 1 ? MxRounding.NearestAway : MxRounding.NearestEven;
                // The fixed-point accumulator: 20 bits with a last bit of 2^-4, so small products round and large sums saturate.
                var options = new MxOptions(rounding, MxScaleRule.Spec, accumulation) { AccumulatorBits = 20, AccumulatorLsb = -4 };
                yield return new TestCaseData(g, w, i, options, 100 + index)
                    .SetName($"{w.Name} x {i.Name}, {accumulation}, {rounding}, K = {g.Reduction}");
                index++;
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Convolution_MatchesThePlainReference(ConvShape g, MxFormat weightFormat, MxFormat inputFormat, MxOptions options, int seed)
    {
        var random = new Random(seed);
        // Magnitudes spread over 2^±6 within each tensor, so blocks get different scales; one bias per filter.
        float[] Draw(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-6, 7)))).ToArray();
        float[] weights = Draw(g.WeightLength);
        float[] input = Draw(g.InputLength);
        float[] bias = Draw(g.OutChannels);

        MxWeights quantized = MxDatapath.QuantizeWeights(g, weights, weightFormat, options, "layer");
        float[] actual = MxDatapath.Convolve(g, input, quantized, bias, inputFormat, options, "layer", 2).Output;
        float[] expected = Reference(g, weights, input, bias, weightFormat, inputFormat, options);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(MxDatapath.Convolve(g, input, quantized, bias, inputFormat, options, "layer", 1).Output, Is.EqualTo(actual), "thread count");
    }

    [Test]
    public void ExactAndFloat32Accumulation_Differ_WhereFloat32Rounds()
    {
        // Two MXINT8 blocks (K = 64): block products 2^24 and 1, and a bias of 1. Exact: 2^24 + 2 = 16777218, a float32.
        // Float32 accumulator: 2^24 + 1 is a tie that rounds to even, 2^24; adding the bias ties back to 2^24 again.
        var g = ConvShape.FullyConnected(1, 64, 1);
        float[] weights = [.. Enumerable.Repeat(1f, 64)];
        float[] input = new float[64];
        input[0] = 16777216f; // the first block: max 2^24, X = 24, element 1.0
        input[32] = 1f; // the second block: X = 0, element 1.0
        MxWeights w = MxDatapath.QuantizeWeights(g, weights, MxFormat.MxInt8, MxOptions.Default, "fc");
        float exact = MxDatapath.Convolve(g, input, w, [1f], MxFormat.MxInt8, MxOptions.Default, "fc", 1).Output[0];
        float fp32 = MxDatapath.Convolve(g, input, w, [1f], MxFormat.MxInt8, new MxOptions(Accumulation: MxAccumulation.Fp32), "fc", 1).Output[0];
        Assert.That(exact, Is.EqualTo(16777218f));
        Assert.That(fp32, Is.EqualTo(16777216f));
    }

    [TestCase(8, -2, 31.75f, 1, TestName = "Fixed point: 32 is 128 steps of 1/4, beyond 127: saturates to 31.75")]
    [TestCase(8, 6, 0f, 0, TestName = "Fixed point: 32 is half a step of 64, a tie: rounds to even 0")]
    [TestCase(8, 5, 32f, 0, TestName = "Fixed point: 32 is one step of 32: exact")]
    public void FixedPointAccumulator_RoundsOntoItsGridAndSaturates(int bits, int lsb, float expected, long saturations)
    {
        // MXINT8, K = 32, weights and inputs all 1: X = 0, codes 64, one block product 32·64·64·2^−12 = 32.
        var g = ConvShape.FullyConnected(1, 32, 1);
        var options = new MxOptions(Accumulation: MxAccumulation.Fixed) { AccumulatorBits = bits, AccumulatorLsb = lsb };
        MxWeights w = MxDatapath.QuantizeWeights(g, [.. Enumerable.Repeat(1f, 32)], MxFormat.MxInt8, options, "fc");
        BfpLayerOutput output = MxDatapath.Convolve(g, [.. Enumerable.Repeat(1f, 32)], w, [], MxFormat.MxInt8, options, "fc", 1);
        Assert.That((output.Output[0], output.AccumulatorSaturations), Is.EqualTo((expected, saturations)));
    }

    [Test]
    public void NonFiniteInput_StopsTheLayerNamingTheIndex()
    {
        var g = ConvShape.FullyConnected(1, 4, 1);
        MxWeights w = MxDatapath.QuantizeWeights(g, [1f, 1f, 1f, 1f], MxFormat.MxFp8E4M3, MxOptions.Default, "fc");
        var e = Assert.Throws<NonFiniteValueException>(() => MxDatapath.Convolve(g, [1f, float.NaN, 0f, 0f], w, [], MxFormat.MxFp8E4M3, MxOptions.Default, "fc", 1));
        Assert.That(e!.Message, Does.Contain("input[1]"));
    }

    private static float[] Reference(ConvShape g, float[] weights, float[] input, float[] bias, MxFormat wf, MxFormat inf, MxOptions o)
    {
        int k = g.Reduction;
        float weightScale = wf.IsNvfp4 ? MxReference.TensorScale(weights.Max(v => Math.Abs(v))) : 1f;
        float inputScale = inf.IsNvfp4 ? MxReference.TensorScale(input.Max(v => Math.Abs(v))) : 1f;
        double[] Convert(float[] row, MxFormat f, float scale) => f.IsNvfp4
            ? MxReference.ConvertNvfp4(row, scale, o.Rounding)
            : MxReference.ConvertMxRow(row, MxReference.All.First(s => s.Name == f.Element.Name), o.Rounding);
        double[][] w = Enumerable.Range(0, g.OutChannels).Select(m => Convert(weights[(m * k)..((m + 1) * k)], wf, weightScale)).ToArray();
        int segment = Math.Min(wf.BlockSize, inf.BlockSize);
        var output = new float[g.OutputLength];
        for (int item = 0; item < g.Batch; item++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        float[] column = new float[k];
                        int j = 0;
                        for (int c = 0; c < g.GroupInChannels; c++)
                        {
                            for (int r = 0; r < g.KernelHeight; r++)
                            {
                                for (int s = 0; s < g.KernelWidth; s++, j++)
                                {
                                    int ih = (oh * g.StrideHeight) - g.PadTop + (r * g.DilationHeight);
                                    int iw = (ow * g.StrideWidth) - g.PadLeft + (s * g.DilationWidth);
                                    bool inside = ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth;
                                    int channel = (group * g.GroupInChannels) + c;
                                    column[j] = inside ? input[(((item * g.InChannels) + channel) * g.InHeight * g.InWidth) + (ih * g.InWidth) + iw] : 0f;
                                }
                            }
                        }

                        double[] x = Convert(column, inf, inputScale);
                        for (int f = 0; f < g.GroupFilters; f++)
                        {
                            int m = (group * g.GroupFilters) + f;
                            long outIndex = ((((long)item * g.OutChannels) + m) * g.OutHeight * g.OutWidth) + (oh * g.OutWidth) + ow;
                            output[outIndex] = OneOutput(w[m], x, bias[m], segment, o, weightScale, inputScale);
                        }
                    }
                }
            }
        }

        return output;
    }

    private static float OneOutput(double[] w, double[] x, double bias, int segment, MxOptions o, float weightScale, float inputScale)
    {
        if (o.Accumulation == MxAccumulation.Fixed)
        {
            // Each block product exactly (in units of 2^-2200), rounded to nearest even onto the grid of 2^lsb, added
            // with saturation; the bias the same way; then sum·2^lsb·s_W·s_I rounded once.
            BigInteger max = (BigInteger.One << (o.AccumulatorBits - 1)) - 1;
            BigInteger sum = 0;
            int gridShift = 2200 + o.AccumulatorLsb;
            for (int start = 0; start < w.Length; start += segment)
            {
                BigInteger block = Enumerable.Range(start, Math.Min(segment, w.Length - start))
                    .Aggregate(BigInteger.Zero, (total, i) => total + (MxReference.Scaled(w[i], 1100) * MxReference.Scaled(x[i], 1100)));
                sum = BigInteger.Clamp(sum + NearestEven(block, gridShift), -max - 1, max);
            }

            sum = BigInteger.Clamp(sum + NearestEven(MxReference.Scaled(bias, 2200), gridShift), -max - 1, max);
            return MxReference.ToFloat(sum * MxReference.Scaled(weightScale, 1100) * MxReference.Scaled(inputScale, 1100), 2200 - o.AccumulatorLsb);
        }

        if (o.Accumulation == MxAccumulation.Exact)
        {
            // Each operand times its tensor scale is exact in double (at most 7 + 24 significant bits).
            return MxReference.ExactDot(w.Select((v, i) => (v * weightScale, x[i] * inputScale)), bias);
        }

        float acc = 0;
        for (int start = 0; start < w.Length; start += segment)
        {
            float block = MxReference.ExactDot(Enumerable.Range(start, Math.Min(segment, w.Length - start)).Select(i => (w[i], x[i])), 0);
            acc = MxReference.ExactDot([(acc, 1.0), (block, 1.0)], 0);
        }

        float alpha = MxReference.ExactDot([(weightScale, inputScale)], 0);
        return Epilogue(acc, alpha, bias);
    }

    /// <summary>value / 2^shift rounded to the nearest integer, ties to even, by integer division.</summary>
    private static BigInteger NearestEven(BigInteger value, int shift)
    {
        BigInteger divisor = BigInteger.One << shift;
        BigInteger quotient = BigInteger.DivRem(BigInteger.Abs(value), divisor, out BigInteger remainder);
        int compared = (remainder * 2).CompareTo(divisor);
        if (compared > 0 || (compared == 0 && !quotient.IsEven))
        {
            quotient += 1;
        }

        return value.Sign < 0 ? -quotient : quotient;
    }

    private static float Epilogue(float acc, float alpha, double bias)
    {
        float y = MxReference.ExactDot([(acc, alpha)], 0);
        return MxReference.ExactDot([(y, 1.0)], bias);
    }
}
