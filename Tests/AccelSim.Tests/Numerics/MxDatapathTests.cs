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
            foreach (MxAccumulation accumulation in new[] { MxAccumulation.Exact, MxAccumulation.Fp32 })
            {
                int groups = random.Next(1, 3);
                int kernel = random.Next(1, 4);
                var g = new ConvShape(
                    Batch: random.Next(1, 3), InChannels: groups * random.Next(4, 13), InHeight: random.Next(3, 6), InWidth: random.Next(3, 6),
                    OutChannels: groups * random.Next(1, 4), KernelHeight: kernel, KernelWidth: kernel, StrideHeight: 1,
                    StrideWidth: random.Next(1, 3), PadTop: random.Next(0, 2), PadLeft: random.Next(0, 2), PadBottom: random.Next(0, 2),
                    PadRight: random.Next(0, 2), DilationHeight: 1, DilationWidth: 1, Groups: groups);
                MxRounding rounding = index % 3 == 2 ? MxRounding.NearestAway : MxRounding.NearestEven;
                yield return new TestCaseData(g, w, i, new MxOptions(rounding, MxScaleRule.Spec, accumulation), 100 + index)
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
                            output[outIndex] = OneOutput(w[m], x, bias[m], segment, o.Accumulation, weightScale, inputScale);
                        }
                    }
                }
            }
        }

        return output;
    }

    private static float OneOutput(double[] w, double[] x, double bias, int segment, MxAccumulation accumulation, float weightScale, float inputScale)
    {
        if (accumulation == MxAccumulation.Exact)
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
        float y = MxReference.ExactDot([(acc, alpha)], 0);
        return MxReference.ExactDot([(y, 1.0)], bias);
    }
}
