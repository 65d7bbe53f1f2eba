using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

public sealed class BfpDatapathTests
{
    private static readonly BfpFormat Bfp58 = new(5, 8);

    private static BfpSettings Settings(BlockPartition w, BlockPartition i, RoundingMode r, int? accumulator = null, BfpFormat? format = null) =>
        new(format ?? Bfp58, format ?? Bfp58, w, i, r, accumulator, 1);

    private static readonly (string Name, BlockPartition W, BlockPartition I)[] Schemes =
    [
        ("6-9", BlockPartition.Tensor, BlockPartition.Tensor),
        ("6-10", BlockPartition.Tensor, BlockPartition.Column),
        ("6-11", BlockPartition.Row, BlockPartition.Tensor),
        ("6-12", BlockPartition.Row, BlockPartition.Column),
        ("group4-group3", BlockPartition.Group(4), BlockPartition.Group(3)),
        ("wcolumn-irow", BlockPartition.Column, BlockPartition.Row),
    ];

    private static IEnumerable<TestCaseData> RandomCases()
    {
        var random = new Random(61161);
        RoundingMode[] modes = [RoundingMode.NearestEven, RoundingMode.TowardZero, RoundingMode.TowardPositive, RoundingMode.TowardNegative];
        for (int i = 0; i < 48; i++)
        {
            int groups = random.Next(2) + 1;
            int kernel = random.Next(1, 4);
            var g = new ConvShape(
                Batch: random.Next(1, 3), InChannels: groups * random.Next(1, 4), InHeight: random.Next(3, 7), InWidth: random.Next(3, 7),
                OutChannels: groups * random.Next(1, 4), KernelHeight: kernel, KernelWidth: kernel, StrideHeight: random.Next(1, 3),
                StrideWidth: random.Next(1, 3), PadTop: random.Next(0, 2), PadLeft: random.Next(0, 2), PadBottom: random.Next(0, 2),
                PadRight: random.Next(0, 2), DilationHeight: 1, DilationWidth: random.Next(1, 3), Groups: groups);
            if (g.OutHeight < 1 || g.OutWidth < 1)
            {
                continue;
            }

            var scheme = Schemes[i % Schemes.Length];
            RoundingMode mode = modes[(i / Schemes.Length) % modes.Length];
            int? accumulator = i % 5 == 4 && scheme.W.Kind is PartitionKind.Tensor or PartitionKind.Row && scheme.I.Kind is PartitionKind.Tensor or PartitionKind.Column ? 12 : null;
            var format = new BfpFormat(random.Next(3, 9), random.Next(3, 12));
            yield return new TestCaseData(g, Settings(scheme.W, scheme.I, mode, accumulator, format), random.Next(), random.Next(2) == 0)
                .SetName($"Case{i:00}_{scheme.Name}_{mode}_acc{accumulator?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "exact"}_bfp{format.ExponentBits}x{format.MantissaBits}");
        }
    }

    private static float[] Values(Random random, long count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Mixed magnitudes, exact zeros and ties-prone dyadic values exercise every branch of the converter.
            values[i] = random.Next(8) switch
            {
                0 => 0f,
                1 => (float)(random.Next(-16, 17) / 8.0 * scale),
                2 => (float)(random.NextDouble() * 1e-3 * scale),
                _ => (float)((random.NextDouble() - 0.5) * 2 * scale),
            };
        }

        return values;
    }

    [TestCaseSource(nameof(RandomCases))]
    public void Convolve_MatchesAnIndependentImplementationOfTheSpec_BitForBit(ConvShape g, BfpSettings s, int seed, bool withBias)
    {
        var random = new Random(seed);
        float[] input = Values(random, g.InputLength, 3);
        float[] weights = Values(random, g.WeightLength, 0.5);
        float[] bias = withBias ? Values(random, g.OutChannels, 1) : [];

        var quantized = BfpDatapath.QuantizeWeights(g, weights, s, "layer");
        var actual = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 2);
        var expected = NaiveBfp.Convolve(g, input, weights, bias, s);

        Assert.Multiple(() =>
        {
            Assert.That(actual.Output.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Output.Select(BitConverter.SingleToInt32Bits)));
            Assert.That(actual.WeightSaturations, Is.EqualTo(expected.WeightSaturations), "weight saturations");
            Assert.That(actual.InputSaturations, Is.EqualTo(expected.InputSaturations), "input saturations");
            Assert.That(actual.AccumulatorSaturations, Is.EqualTo(expected.AccumulatorSaturations), "accumulator saturations");
        });
    }

    private static IEnumerable<TestCaseData> PooledCases()
    {
        RoundingMode[] modes = [RoundingMode.NearestEven, RoundingMode.TowardZero, RoundingMode.TowardPositive, RoundingMode.TowardNegative];
        foreach (IntegerKernel kernel in new[] { IntegerKernel.OneDnn, IntegerKernel.Vnni, IntegerKernel.PackedScalar, IntegerKernel.Pairs16 })
        {
            foreach (RoundingMode mode in modes)
            {
                yield return new TestCaseData(kernel, mode).SetName($"Pooled_{kernel}_{mode}");
            }
        }
    }

    [TestCaseSource(nameof(PooledCases))]
    public void Convolve_ABigLayerThenSmallerOnesThenTheBigAgain_ReusesNoStaleScratch(IntegerKernel kernel, RoundingMode rounding)
    {
        Assume.That(IntegerGemm.IsSupported(kernel), $"{kernel} does not run on this CPU");
        // Scratch comes from a pool: the small layers rent the big one's arrays and leave their own bytes in them, and
        // the big layer then gets them back. Shapes: 40 channels (two vector blocks of 16 and a tail of 8), planes of
        // 143 = 8 · 16 + 15 and 42 pixels (vector blocks and tails), padding on the big layer only, batch 2 on a small one.
        // Scales: ±3 under bfp(5, 8) converts in float (1/Δ = 2^5 ≥ 1); ±1000 under bfp(5, 8) in double (e_s = 9,
        // 1/Δ = 2^−3); ±1000 under bfp(3, 8) saturates (e_s is clamped to 3, so 1000 · 2^3 is beyond Q = 127).
        var big = new ConvShape(1, 40, 13, 11, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var small = new ConvShape(2, 18, 7, 6, 5, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1);
        var fc = ConvShape.FullyConnected(1, 37, 3);
        var wide = new BfpFormat(5, 8);
        var clamped = new BfpFormat(3, 8);
        var random = new Random(97);
        float[] bigInput = Values(random, big.InputLength, 3);
        var layers = new[]
        {
            (Shape: big, Format: wide, Input: bigInput),
            (Shape: small, Format: wide, Input: Values(random, small.InputLength, 1000)),
            (Shape: fc, Format: clamped, Input: Values(random, fc.InputLength, 1000)),
            (Shape: big, Format: wide, Input: bigInput),
        };

        var results = new List<BfpLayerOutput>();
        foreach ((ConvShape g, BfpFormat format, float[] input) in layers)
        {
            var s = new BfpSettings(format, format, BlockPartition.Row, BlockPartition.Tensor, rounding, null, 1);
            float[] weights = Values(new Random(g.Reduction), g.WeightLength, 0.5);
            float[] bias = Values(new Random(g.OutChannels), g.OutChannels, 1);
            var quantized = BfpDatapath.QuantizeWeights(g, weights, s, "layer");
            var actual = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 2, kernel: kernel);
            // With capture the map is kept as mantissas and packed from them: the other conversion path.
            var captured = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 1, captureInput: true, kernel: kernel);
            var expected = NaiveBfp.Convolve(g, input, weights, bias, s);
            results.Add(actual);

            Assert.Multiple(() =>
            {
                Assert.That(actual.Output.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Output.Select(BitConverter.SingleToInt32Bits)), $"{g} against the spec");
                Assert.That(actual.InputSaturations, Is.EqualTo(expected.InputSaturations), "input saturations");
                Assert.That(captured.Output, Is.EqualTo(actual.Output), "converted through the mantissas");
                Assert.That(actual.InputSaturations, Is.EqualTo(captured.InputSaturations), "saturations through the mantissas");
                Assert.That(actual.InputSignalPower, Is.EqualTo(captured.InputSignalPower), "signal power");
                Assert.That(actual.InputStepPower, Is.EqualTo(captured.InputStepPower), "step power");
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(results[2].InputSaturations, Is.GreaterThan(0), "the clamped format saturates");
            Assert.That(results[3].Output, Is.EqualTo(results[0].Output), "the big layer again, after the small ones");
        });
    }

    private static IEnumerable<TestCaseData> OutputBufferCases()
    {
        foreach (IntegerKernel kernel in new[] { IntegerKernel.OneDnn, IntegerKernel.Vnni, IntegerKernel.PackedScalar, IntegerKernel.Pairs16 })
        {
            // Tensor inputs take the packed paths; column inputs under 12-bit mantissas take the per-tile path.
            yield return new TestCaseData(kernel, BlockPartition.Tensor, 8).SetName($"OutputBuffer_{kernel}_tensor");
            yield return new TestCaseData(kernel, BlockPartition.Column, 12).SetName($"OutputBuffer_{kernel}_column12");
        }
    }

    [TestCaseSource(nameof(OutputBufferCases))]
    public void Convolve_IntoACallersArray_WritesEveryOutputAsAFreshArrayHolds(IntegerKernel kernel, BlockPartition inputs, int mantissaBits)
    {
        Assume.That(IntegerGemm.IsSupported(kernel), $"{kernel} does not run on this CPU");
        // The array starts as NaN everywhere: an output the datapath skipped would stay NaN and differ from the fresh run.
        // Two groups, batch 2 and padding, so that every output loop (groups, items, edge pixels) is reached.
        var g = new ConvShape(2, 8, 9, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2);
        var random = new Random(31);
        float[] input = Values(random, g.InputLength, 2);
        float[] weights = Values(random, g.WeightLength, 0.5);
        float[] bias = Values(random, g.OutChannels, 1);
        var s = new BfpSettings(new BfpFormat(5, mantissaBits), new BfpFormat(5, mantissaBits), BlockPartition.Row, inputs, RoundingMode.NearestEven, null, 1);
        var quantized = BfpDatapath.QuantizeWeights(g, weights, s, "layer");
        var fresh = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 2, kernel: kernel);
        var target = Enumerable.Repeat(float.NaN, (int)g.OutputLength).ToArray();

        var reused = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 2, kernel: kernel, output: target);

        Assert.Multiple(() =>
        {
            Assert.That(reused.Output, Is.SameAs(target), "the outputs are the caller's array");
            Assert.That(target.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(fresh.Output.Select(BitConverter.SingleToInt32Bits)));
            Assert.That(() => BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 1, output: new float[g.OutputLength - 1]), Throws.ArgumentException);
        });
    }

    [Test]
    public void Convolve_IsIdenticalForOneAndTwoThreads_StochasticRoundingIncluded()
    {
        var g = new ConvShape(2, 4, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var random = new Random(5);
        float[] input = Values(random, g.InputLength, 2);
        float[] weights = Values(random, g.WeightLength, 0.3);
        var s = Settings(BlockPartition.Row, BlockPartition.Column, RoundingMode.Stochastic);
        var q = BfpDatapath.QuantizeWeights(g, weights, s, "l");

        float[] one = BfpDatapath.Convolve(g, input, q, [], s, "l", 1).Output;
        float[] two = BfpDatapath.Convolve(g, input, q, [], s, "l", 2).Output;
        float[] otherSeed = BfpDatapath.Convolve(g, input, BfpDatapath.QuantizeWeights(g, weights, s with { StochasticSeed = 2 }, "l"), [], s with { StochasticSeed = 2 }, "l", 2).Output;

        Assert.Multiple(() =>
        {
            Assert.That(two, Is.EqualTo(one));
            Assert.That(otherSeed, Is.Not.EqualTo(one), "a different seed draws different roundings");
        });
    }

    [Test]
    public void NaNInput_StopsWithTheLayerTensorAndFirstIndex()
    {
        var g = ConvShape.FullyConnected(1, 4, 2);
        var s = Settings(BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven);
        var q = BfpDatapath.QuantizeWeights(g, new float[8], s, "fc7");

        var error = Assert.Throws<NonFiniteValueException>(() => BfpDatapath.Convolve(g, [1f, float.NaN, 2f, float.NaN], q, [], s, "fc7", 1));

        Assert.That(error!.Message, Is.EqualTo("layer 'fc7': input[1] is NaN; BFP conversion needs finite values"));
    }

    [TestCase(8, 90)]
    [TestCase(37, 90)]
    [TestCase(99, -1)]
    public void NonFiniteValueInALongTensor_IsReportedAtItsFirstIndex(int first, int second)
    {
        // 100 values: twelve vectors of eight and a tail of four; the first bad value opens a vector (8), sits inside one
        // (37, with another later at 90) or in the tail (99).
        float[] values = Enumerable.Range(0, 100).Select(i => i * 0.5f).ToArray();
        values[first] = first % 2 == 0 ? float.PositiveInfinity : float.NaN;
        if (second >= 0)
        {
            values[second] = float.NegativeInfinity;
        }

        var error = Assert.Throws<NonFiniteValueException>(() => NonFiniteValueException.ThrowIfAny(values, "conv3", "input"));

        Assert.That(error!.Index, Is.EqualTo(first));
        Assert.DoesNotThrow(() => NonFiniteValueException.ThrowIfAny(values.AsSpan(0, first), "conv3", "input"), "all finite before it");
    }

    [Test]
    public void InfiniteWeight_IsNamedToo()
    {
        var g = ConvShape.FullyConnected(1, 2, 1);
        var s = Settings(BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven);

        var error = Assert.Throws<NonFiniteValueException>(() => BfpDatapath.QuantizeWeights(g, [1f, float.NegativeInfinity], s, "conv1"));

        Assert.That(error!.Message, Is.EqualTo("layer 'conv1': weights[1] is -Infinity; BFP conversion needs finite values"));
    }

    [Test]
    public void FullyConnected_HandWorked()
    {
        // bfp(5, 4): Q = 7. Weights [3.0, 1.0] (one row block): e = 1, Δ_W = 2^(1−2) = 0.5 → q = [6, 2].
        // Input [1.25, −0.75] (tensor block): e = 0, Δ_I = 2^(0−2) = 0.25 → q = [5, −3].
        // acc = 6·5 + 2·(−3) = 24; bias 0.3 / (0.5·0.25) = 2.4 → 2; y = (24 + 2)·0.125 = 3.25 (exact: 3.0·1.25 − 0.75 + 0.3 = 3.3).
        var f = new BfpFormat(5, 4);
        var s = new BfpSettings(f, f, BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);
        var g = ConvShape.FullyConnected(1, 2, 1);
        var q = BfpDatapath.QuantizeWeights(g, [3f, 1f], s, "fc");

        var result = BfpDatapath.Convolve(g, [1.25f, -0.75f], q, [0.3f], s, "fc", 1);

        Assert.That(result.Output, Is.EqualTo(new[] { 3.25f }));
    }

    [Test]
    public void BiasFormat_StoresTheBiasInBfpBeforeItEntersTheAccumulator()
    {
        // As in FullyConnected_HandWorked, acc = 24 with Δ_W·Δ_I = 0.125. Bias 0.36 straight in: 0.36 / 0.125 = 2.88 → 3,
        // y = 27 · 0.125 = 3.375. Stored first as bfp(5, 2) (Q = 1): e = floor(log2 0.36) = −2, Δ = 2^(−2−0) = 0.25,
        // 0.36 / 0.25 = 1.44 → 1, so the stored bias is 0.25 → 2 steps → y = 26 · 0.125 = 3.25.
        var f = new BfpFormat(5, 4);
        var s = new BfpSettings(f, f, BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);
        var g = ConvShape.FullyConnected(1, 2, 1);
        var q = BfpDatapath.QuantizeWeights(g, [3f, 1f], s, "fc");

        float plain = BfpDatapath.Convolve(g, [1.25f, -0.75f], q, [0.36f], s, "fc", 1).Output[0];
        float stored = BfpDatapath.Convolve(g, [1.25f, -0.75f], q, [0.36f], s with { Bias = new BfpFormat(5, 2) }, "fc", 1).Output[0];

        Assert.Multiple(() =>
        {
            Assert.That(plain, Is.EqualTo(3.375f));
            Assert.That(stored, Is.EqualTo(3.25f));
        });
    }

    [Test]
    public void NarrowAccumulator_SaturatesEachAdditionAndCountsIt()
    {
        // bfp(5, 8), weights all 1.0 → q = 64 (e = 0, Δ = 2^−6); inputs all 1.0 → q = 64. Each product is 4,096;
        // an 8-bit... 14-bit accumulator holds at most 8,191: 4,096 + 4,096 = 8,192 saturates on the 2nd addition and
        // every later one: 3 saturations over K = 4, result 8,191 · 2^−12 = 1.999755859375.
        var s = Settings(BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, accumulator: 14);
        var g = ConvShape.FullyConnected(1, 4, 1);
        var q = BfpDatapath.QuantizeWeights(g, [1f, 1f, 1f, 1f], s, "fc");

        var result = BfpDatapath.Convolve(g, [1f, 1f, 1f, 1f], q, [], s, "fc", 1);

        Assert.Multiple(() =>
        {
            Assert.That(result.Output, Is.EqualTo(new[] { 8191f / 4096f }));
            Assert.That(result.AccumulatorSaturations, Is.EqualTo(3));
        });
    }
}
