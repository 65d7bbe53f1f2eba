using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

public sealed class KernelsTests
{
    [TestCase(7, true)]
    [TestCase(100, true)]
    [TestCase(4099, true)]
    [TestCase(4099, false)]
    [TestCase(70_001, true)]
    public void SimdDot_EqualsTheScalarSum(int length, bool narrow)
    {
        var random = new Random(length);
        int limit = narrow ? 127 : 32767;
        short[] a = Enumerable.Range(0, length).Select(_ => (short)random.Next(-limit, limit + 1)).ToArray();
        short[] b = Enumerable.Range(0, length).Select(_ => (short)random.Next(-limit, limit + 1)).ToArray();

        Assert.That(IntegerDot.Dot(a, b, narrow), Is.EqualTo(IntegerDot.DotScalar(a, b)));
    }

    [TestCase(8)]
    [TestCase(21)]
    [TestCase(4099)]
    public void ReferenceDot_SumsInItsDocumentedOrder_WhateverTheCpu(int length)
    {
        // The order written out with scalar fused multiply-adds: eight products per pass into two four-lane
        // accumulators, the accumulators added lane by lane, the four lanes in order, then the tail one product at a
        // time. Without 256-bit vectors the same Vector256 operations run in software, so every CPU and the Native
        // AOT build take this order; a plain scalar loop differs in the last bits.
        var random = new Random(length);
        for (int trial = 0; trial < 20; trial++)
        {
            float[] a = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            double[] b = Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] lanes = new double[8];
            int i = 0;
            for (; i + 8 <= length; i += 8)
            {
                for (int lane = 0; lane < 8; lane++)
                {
                    lanes[lane] = Math.FusedMultiplyAdd(a[i + lane], b[i + lane], lanes[lane]);
                }
            }

            double expected = (lanes[0] + lanes[4]) + (lanes[1] + lanes[5]) + (lanes[2] + lanes[6]) + (lanes[3] + lanes[7]);
            for (; i < length; i++)
            {
                expected += (double)a[i] * b[i];
            }

            Assert.That(BitConverter.DoubleToInt64Bits(ReferenceDatapath.Dot(a, b)), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected)), $"trial {trial}");
        }
    }

    [Test]
    public void SimdDot_AtTheExtremes_StaysExact()
    {
        // 70,000 products of (−32767)·(−32767) = 1,073,676,289 each: a pair sum 2,147,352,578 still fits int32.
        short[] a = Enumerable.Repeat((short)-32767, 70_000).ToArray();

        Assert.That(IntegerDot.Dot(a, a, narrow: false), Is.EqualTo(70_000L * 1_073_676_289L));
    }

    // K = 3 (below one run of eight), 75 (runs plus a tail of 3), 4,608 (several passes of 256); odd filter counts and
    // column counts that are not multiples of the 2 × 3 block; one column (an FC layer at batch 1, split by filters).
    [TestCase(1, 3, 5, 5, 7, 1, 1, 1)]
    [TestCase(2, 3, 9, 9, 5, 5, 2, 1)]
    [TestCase(1, 512, 5, 5, 9, 3, 1, 1)]
    [TestCase(1, 8, 7, 6, 6, 3, 1, 2)]
    [TestCase(1, 4_100, 1, 1, 131, 1, 1, 1)]
    public void ReferenceConvolution_IsDotOfEachOutput_BitForBit_OnEveryThreadCount(
        int batch, int channels, int height, int width, int filters, int kernel, int stride, int groups)
    {
        var g = new ConvShape(batch, channels, height, width, filters, kernel, kernel, stride, stride, 1, 1, 1, 1, 1, 1, groups);
        var random = new Random(channels + filters);
        double[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => random.NextDouble() - 0.5).ToArray();
        float[] weights = Enumerable.Range(0, (int)g.WeightLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] bias = Enumerable.Range(0, filters).Select(i => i * 0.25f).ToArray();

        // The definition: each output is Dot(filter row, im2col column) + bias, whatever the tiling.
        var expected = new double[g.OutputLength];
        var column = new double[g.Reduction];
        for (int item = 0; item < batch; item++)
        {
            for (int m = 0; m < filters; m++)
            {
                for (int pixel = 0; pixel < g.PixelsPerItem; pixel++)
                {
                    g.Im2Col<double>(input, item, m / g.GroupFilters, pixel / g.OutWidth, pixel % g.OutWidth, column);
                    expected[(((long)item * filters) + m) * g.PixelsPerItem + pixel] =
                        ReferenceDatapath.Dot(weights.AsSpan(m * g.Reduction, g.Reduction), column) + bias[m];
                }
            }
        }

        long[] Bits(double[] values) => Array.ConvertAll(values, BitConverter.DoubleToInt64Bits);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Bits(ReferenceDatapath.Convolve(g, input, weights, bias, 1)), Is.EqualTo(Bits(expected)));
            Assert.That(Bits(ReferenceDatapath.Convolve(g, input, weights, bias, 2)), Is.EqualTo(Bits(expected)));
        }
    }

    [Test]
    public void ReferenceConvolution_MatchesANaiveLoop()
    {
        var g = new ConvShape(2, 4, 6, 5, 4, 3, 3, 2, 1, 1, 0, 1, 1, 1, 2, 2);
        var random = new Random(3);
        double[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => random.NextDouble() - 0.5).ToArray();
        float[] weights = Enumerable.Range(0, (int)g.WeightLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] bias = [0.1f, -0.2f, 0.3f, 0f];

        double[] actual = ReferenceDatapath.Convolve(g, input, weights, bias, 2);

        int cg = g.InChannels / g.Groups;
        int mg = g.OutChannels / g.Groups;
        for (int b = 0; b < g.Batch; b++)
        {
            for (int m = 0; m < g.OutChannels; m++)
            {
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        double sum = bias[m];
                        for (int c = 0; c < cg; c++)
                        {
                            for (int r = 0; r < 3; r++)
                            {
                                for (int s = 0; s < 3; s++)
                                {
                                    int ih = (oh * 2) - 1 + r;
                                    int iw = ow - 0 + (s * 2);
                                    if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                                    {
                                        int channel = ((m / mg) * cg) + c;
                                        sum += weights[(((m * cg) + c) * 9) + (r * 3) + s] * input[(((b * g.InChannels) + channel) * g.InHeight + ih) * g.InWidth + iw];
                                    }
                                }
                            }
                        }

                        Assert.That(actual[(((b * g.OutChannels) + m) * g.OutHeight + oh) * g.OutWidth + ow], Is.EqualTo(sum).Within(1e-12));
                    }
                }
            }
        }
    }

    [Test]
    public void NumericError_HandWorked()
    {
        // output [1, 2] against reference [1, 1]: signal 2, noise 1 → NSR 0.5, SQNR 10·log10(2) = 3.0103 dB,
        // max |e| 1, mean |e| 0.5, relative RMSE sqrt(0.5).
        var e = NumericError.Compare([1f, 2f], [1f, 1f]);

        Assert.Multiple(() =>
        {
            Assert.That(e.Nsr, Is.EqualTo(0.5));
            Assert.That(e.SqnrDb, Is.EqualTo(10 * Math.Log10(2)).Within(1e-12));
            Assert.That(e.MaxAbsError, Is.EqualTo(1));
            Assert.That(e.MeanAbsError, Is.EqualTo(0.5));
            Assert.That(e.RelativeRmse, Is.EqualTo(Math.Sqrt(0.5)).Within(1e-15));
            Assert.That(NumericError.Compare([1f], [1f]).SqnrDb, Is.EqualTo(double.PositiveInfinity));
        });
    }

    [Test]
    public void Pooling_HandWorked()
    {
        // 1×1×3×3 input 1..9, 2×2 windows stride 1 with bottom/right padding 1: max of [1 2;4 5] = 5 … the corner
        // window holds only 9 (padding never wins); average divides by the in-bounds count (corner: 9 / 1).
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var w = new PoolShape(1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);

        Assert.Multiple(() =>
        {
            Assert.That(Activations.MaxPool2d(input, w), Is.EqualTo(new float[] { 5, 6, 6, 8, 9, 9, 8, 9, 9 }));
            Assert.That(Activations.AvgPool2d(input, w), Is.EqualTo(new float[] { 3, 4, 4.5f, 6, 7, 7.5f, 7.5f, 8.5f, 9 }));
        });
    }

    [Test]
    public void Concat_StacksEachItemsChannels()
    {
        // Batch 2: a has 1 channel of 2 values per item, b 2 channels of 2. Item 0 = a0 then b0, item 1 = a1 then b1.
        float[] a = [1, 2, /* item 1 */ 3, 4];
        float[] b = [10, 11, 12, 13, /* item 1 */ 14, 15, 16, 17];

        Assert.That(Activations.Concat([a, b], batch: 2), Is.EqualTo(new float[] { 1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17 }));
    }

    [Test]
    public void Relu_MapsNegativeZeroToPositiveZero()
    {
        float[] values = [-0f, -1f, 2f];

        Activations.Relu(values);

        Assert.That(values.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(new[] { 0, 0, BitConverter.SingleToInt32Bits(2f) }));
    }

    /// <summary>A vector at a time and in the tail: x where x &gt; 0, else +0 (−0, negatives, −∞ and NaN alike), in
    /// float and in double. 19 values: two vectors of eight floats (four of four doubles) and a tail.</summary>
    [Test]
    public void Relu_VectorsAndTail_KeepPositives_AndGivePositiveZeroElsewhere()
    {
        float[] singles = [-0f, -1f, 2f, float.NaN, float.NegativeInfinity, float.PositiveInfinity, float.Epsilon, -float.Epsilon,
            3f, -0f, 0f, -5f, 1e-30f, float.NaN, 7f, -7f, /* tail */ -0f, 4f, float.NaN];
        double[] doubles = Array.ConvertAll(singles, v => (double)v);
        uint[] expected = Array.ConvertAll(singles, v => v > 0 ? BitConverter.SingleToUInt32Bits(v) : 0u);

        Activations.Relu(singles);
        Activations.Relu(doubles);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(singles.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(expected));
            Assert.That(doubles.Select(v => BitConverter.SingleToUInt32Bits((float)v)), Is.EqualTo(expected));
            Assert.That(doubles.Count(v => BitConverter.DoubleToInt64Bits(v) == 0), Is.EqualTo(expected.Count(e => e == 0)), "+0, never −0");
        }
    }

    [Test]
    public void SyntheticTensors_AreSeededAndHaveTheRequestedSpread()
    {
        float[] a = new float[100_000];
        float[] b = new float[100_000];
        SyntheticTensors.HeNormal(42, 50, a);
        SyntheticTensors.HeNormal(42, 50, b);
        double std = Math.Sqrt(a.Select(v => (double)v * v).Average());

        Assert.Multiple(() =>
        {
            Assert.That(b, Is.EqualTo(a));
            Assert.That(std, Is.EqualTo(Math.Sqrt(2.0 / 50)).Within(0.01 * Math.Sqrt(2.0 / 50)), "He-normal: std = sqrt(2/fan-in) = 0.2");
        });
    }

    [TestCase(42UL, 50, 4_000_001)]
    [TestCase(7UL, 25_088, 1_000_003)]
    [TestCase(0UL, 1, 9)]
    public void SyntheticTensors_VectorPathGivesTheScalarDefinitionsBits(ulong seed, int fanIn, int length)
    {
        // The vector logarithm and sine/cosine keep a value only where the scalar one provably rounds to the same
        // float; over millions of values (odd lengths: the last pair is cut) every bit must match the scalar path.
        float[] fast = new float[length];
        float[] scalar = new float[length];
        SyntheticTensors.HeNormal(seed, fanIn, fast);
        SyntheticTensors.HeNormalScalar(seed, fanIn, scalar);

        for (int i = 0; i < length; i++)
        {
            if (BitConverter.SingleToInt32Bits(fast[i]) != BitConverter.SingleToInt32Bits(scalar[i]))
            {
                Assert.Fail($"element {i}: {fast[i]:R} against the scalar {scalar[i]:R}");
            }
        }

        Assert.That(fast[^1], Is.Not.EqualTo(0f), "the last element is written");
    }

    [TestCase(42UL, 50, 1_000_001, false)]
    [TestCase(42UL, 50, 1_000_001, true)]
    [TestCase(7UL, 25_088, 300_007, false)]
    [TestCase(7UL, 25_088, 300_007, true)]
    [TestCase(3UL, 9, 4_113, true)]
    [TestCase(0UL, 1, 9, true)]
    public void SyntheticTensors_EachVectorPathGivesTheScalarDefinitionsBits(ulong seed, int fanIn, int length, bool wide)
    {
        // Four lanes (AVX) and eight lanes (AVX-512, uniforms drawn in the vector registers too), whichever this CPU does
        // not pick by itself included. Lengths: a last chunk of 4,113 − 4,096 = 17 values (two runs of eight pairs and
        // a cut pair), 9 (one run of eight pairs would need 16: all by the scalar tail).
        Assume.That(wide ? System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported : System.Runtime.Intrinsics.X86.Avx.IsSupported, "the vector path does not run on this CPU");
        float[] fast = Enumerable.Repeat(float.NaN, length).ToArray();
        float[] scalar = new float[length];
        SyntheticTensors.HeNormalWithVectors(seed, fanIn, fast, wide);
        SyntheticTensors.HeNormalScalar(seed, fanIn, scalar);

        Assert.That(fast.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(scalar.Select(BitConverter.SingleToInt32Bits)));
    }

    /// <summary>Ranges of the tensor (chunks are 4,096 elements): within one chunk, from a chunk's start, across chunk
    /// boundaries from mid-chunk, up to the tensor's odd end, one element, and the whole.</summary>
    [TestCase(0, 20_001)]
    [TestCase(5, 100)]
    [TestCase(4_096, 4_096)]
    [TestCase(4_095, 2)]
    [TestCase(1_000, 12_000)]
    [TestCase(19_999, 2)]
    [TestCase(20_000, 1)]
    [TestCase(8_193, 0)]
    public void SyntheticTensors_ARangeIsTheSameFloatsAsTheWholeDraw(int first, int length)
    {
        const int Total = 20_001;
        float[] whole = new float[Total];
        SyntheticTensors.HeNormal(9, 25_088, whole);
        float[] range = new float[length];

        SyntheticTensors.HeNormal(9, 25_088, first, range);

        Assert.That(range.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(whole.Skip(first).Take(length).Select(BitConverter.SingleToInt32Bits)));
    }
}

public sealed class ErrorModelTests
{
    [Test]
    public void WeightStage_IsStepPowerTimesTheRoundingConstantOverSignalPower()
    {
        // bfp(5, 4), weights [3.0, 1.0] in one row block: Δ = 0.5, Σ Δ² = 2 · 0.25 = 0.5, Σ w² = 9 + 1 = 10.
        // RN: c = 1/12 → NSR = 0.5 / 12 / 10 = 1/240; directed: c = 1/3 → 1/60.
        var f = new BfpFormat(5, 4);
        var s = new BfpSettings(f, f, BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);
        var q = BfpDatapath.QuantizeWeights(ConvShape.FullyConnected(1, 2, 1), [3f, 1f], s, "fc");

        Assert.Multiple(() =>
        {
            Assert.That(q.StepPower, Is.EqualTo(0.5));
            Assert.That(q.SignalPower, Is.EqualTo(10));
            Assert.That(ErrorModel.QuantizationNsr(q.StepPower, q.SignalPower, RoundingMode.NearestEven), Is.EqualTo(1.0 / 240).Within(1e-15));
            Assert.That(ErrorModel.QuantizationNsr(q.StepPower, q.SignalPower, RoundingMode.TowardZero), Is.EqualTo(1.0 / 60).Within(1e-15));
        });
    }

    [Test]
    public void InputStage_CountsTheIm2colMatrixPaddingIncluded()
    {
        // 1×1×2×2 input [1, 2, 3, 4] (tensor block, bfp(5, 4): e = 2, Δ = 2^(2−2) = 1), 3×3 conv with padding 1 → 4 output
        // pixels × K = 9: 36 im2col elements, each with Δ² = 1 → Σ Δ² = 36. Each input value sits in all 4 windows:
        // Σ x² = 4 · (1 + 4 + 9 + 16) = 120.
        var f = new BfpFormat(5, 4);
        var s = new BfpSettings(f, f, BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);
        var g = new ConvShape(1, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var q = BfpDatapath.QuantizeWeights(g, new float[9], s, "c");

        var result = BfpDatapath.Convolve(g, [1f, 2f, 3f, 4f], q, [], s, "c", 1);

        Assert.Multiple(() =>
        {
            Assert.That(result.InputStepPower, Is.EqualTo(36));
            Assert.That(result.InputSignalPower, Is.EqualTo(120));
        });
    }
}

public sealed class BlockedDotTests
{
    [TestCase(16)]
    [TestCase(4608)]
    [TestCase(5001)]
    public void Dot4_EqualsFourScalarDots(int length)
    {
        var random = new Random(length);
        short[] Next() => Enumerable.Range(0, length).Select(_ => (short)random.Next(-127, 128)).ToArray();
        short[] a = Next();
        short[][] b = [Next(), Next(), Next(), Next()];
        var sums = new long[4];

        IntegerDot.Dot4(a, b[0], b[1], b[2], b[3], sums);

        Assert.That(sums, Is.EqualTo(b.Select(x => IntegerDot.DotScalar(a, x)).ToArray()));
    }

    [TestCase(16)]
    [TestCase(4608)]
    [TestCase(70_001)]
    public void Dot2x4_EqualsEightScalarDots(int length)
    {
        var random = new Random(length + 1);
        short[] Next() => Enumerable.Range(0, length).Select(_ => (short)random.Next(-127, 128)).ToArray();
        short[][] a = [Next(), Next()];
        short[][] b = [Next(), Next(), Next(), Next()];
        var sums0 = new long[4];
        var sums1 = new long[4];

        IntegerDot.Dot2x4(a[0], a[1], b[0], b[1], b[2], b[3], sums0, sums1);

        Assert.Multiple(() =>
        {
            Assert.That(sums0, Is.EqualTo(b.Select(x => IntegerDot.DotScalar(a[0], x)).ToArray()));
            Assert.That(sums1, Is.EqualTo(b.Select(x => IntegerDot.DotScalar(a[1], x)).ToArray()));
        });
    }
}
