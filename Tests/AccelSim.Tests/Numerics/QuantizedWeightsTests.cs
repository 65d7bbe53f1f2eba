using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

public sealed class QuantizedWeightsTests
{
    private static readonly BfpFormat Bfp58 = new(5, 8);

    /// <summary>Geometries whose K is not a multiple of the packed row (64): a 3×3 conv (K = 27), a grouped 3×3 conv
    /// (K = 2 · 9 = 18 per group), an FC layer (K = 100) and one whose rows the conversion takes in two runs of up to
    /// 256 (K = 300); every rounding; weights below 1 (steps below 1: the conversion scales in float) and up to 2^14
    /// (steps above 1: it scales in double).</summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        var conv = new ConvShape(1, 3, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var grouped = new ConvShape(1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2);
        var fc = new ConvShape(1, 100, 1, 1, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        var wide = new ConvShape(1, 300, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        foreach ((string name, ConvShape g) in new[] { ("conv", conv), ("grouped", grouped), ("fc", fc), ("wide fc", wide) })
        {
            foreach (BlockPartition partition in new[] { BlockPartition.Row, BlockPartition.Tensor })
            {
                foreach (RoundingMode rounding in Enum.GetValues<RoundingMode>())
                {
                    foreach (double scale in new[] { 1.0, 8192.0 })
                    {
                        yield return new TestCaseData(g, partition, rounding, scale).SetName($"{name}_{partition.Kind}_{rounding}_x{scale}");
                    }
                }
            }
        }
    }

    /// <summary>Weights converted straight into packed bytes (the packed kernels' settings) read back exactly as the
    /// same weights converted to int16 mantissas (a narrow accumulator's settings, which never pack): every view, the
    /// zero counts and every statistic.</summary>
    [TestCaseSource(nameof(Cases))]
    public void PackedOnly_GivesTheInt16MantissasInEveryView(ConvShape g, BlockPartition partition, RoundingMode rounding, double scale)
    {
        Assume.That(IntegerGemm.Best, Is.Not.EqualTo(IntegerKernel.Pairs16), "only CPUs with a packed kernel convert straight into bytes");
        var random = new Random(1801);
        // Mixed magnitudes and exact zeros: saturations (none here: max-based exponents) and zero counts both matter.
        float[] weights = Enumerable.Range(0, (int)g.WeightLength)
            .Select(i => random.Next(4) == 0 ? 0f : (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-12, 3)) * scale)).ToArray();
        var packedSettings = new BfpSettings(Bfp58, Bfp58, partition, BlockPartition.Tensor, rounding, null, 7);
        var narrowSettings = packedSettings with { AccumulatorBits = 32 };

        QuantizedWeights packed = BfpDatapath.QuantizeWeights(g, weights, packedSettings, "l");
        QuantizedWeights narrow = BfpDatapath.QuantizeWeights(g, weights, narrowSettings, "l");

        int[] expected = narrow.Mantissas();
        var single = new List<int>();
        for (int m = 0; m < g.OutChannels; m++)
        {
            for (int k = 0; k < g.Reduction; k++)
            {
                single.Add(packed.Mantissa(m, k));
            }
        }

        (sbyte[] expectedBytes, long[] expectedSums) = IntegerGemm.PackWeights(narrow.Narrow!, g.OutChannels, g.Reduction, g.KernelHeight * g.KernelWidth);
        Assert.Multiple(() =>
        {
            Assert.That(BfpDatapath.UsesPackedKernels(packedSettings), Is.True);
            Assert.That(BfpDatapath.UsesPackedKernels(narrowSettings), Is.False);
            Assert.That(expected.Count(v => v != 0), Is.GreaterThan(0).And.LessThan(expected.Length), "some zero, some non-zero mantissas");
            Assert.That(packed.IsNarrow, Is.True);
            Assert.That(packed.Mantissas(), Is.EqualTo(expected));
            Assert.That(single, Is.EqualTo(expected));
            Assert.That(packed.Narrow, Is.EqualTo(narrow.Narrow));
            Assert.That(packed.Packed.Bytes, Is.EqualTo(expectedBytes));
            Assert.That(packed.Packed.RowSums, Is.EqualTo(expectedSums));
            Assert.That(packed.FilterNonZeroCounts(2), Is.EqualTo(ZeroOperands.FilterCounts(g, expected, 1)));
            Assert.That(packed.Saturations, Is.EqualTo(narrow.Saturations));
            Assert.That(BitConverter.DoubleToInt64Bits(packed.StepPower), Is.EqualTo(BitConverter.DoubleToInt64Bits(narrow.StepPower)));
            Assert.That(BitConverter.DoubleToInt64Bits(packed.SignalPower), Is.EqualTo(BitConverter.DoubleToInt64Bits(narrow.SignalPower)));
            Assert.That(packed.SharedExponents(), Is.EqualTo(narrow.SharedExponents()));
        });
    }

    /// <summary>The int16 kernel reads packed-only weights through their derived int16 view: the same outputs as the
    /// packed kernel (integer sums are exact, so any order gives the same bits).</summary>
    [Test]
    public void PackedOnly_Pairs16Kernel_GivesThePackedKernelsOutputs()
    {
        Assume.That(IntegerGemm.Best, Is.Not.EqualTo(IntegerKernel.Pairs16));
        var g = new ConvShape(1, 3, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var random = new Random(3);
        float[] weights = Enumerable.Range(0, (int)g.WeightLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var s = new BfpSettings(Bfp58, Bfp58, BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);
        QuantizedWeights w = BfpDatapath.QuantizeWeights(g, weights, s, "l");

        float[] best = BfpDatapath.Convolve(g, input, w, [], s, "l", 2).Output;
        float[] pairs = BfpDatapath.Convolve(g, input, w, [], s, "l", 2, kernel: IntegerKernel.Pairs16).Output;

        Assert.That(pairs, Is.EqualTo(best));
    }
}
