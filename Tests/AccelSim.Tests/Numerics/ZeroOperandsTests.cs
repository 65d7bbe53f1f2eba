using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

public sealed class ZeroOperandsTests
{
    /// <summary>Brute force: every MAC of the convolution, padding as zero input, counted one by one.</summary>
    private static long BruteForce(ConvShape g, float[] input, bool[] weightNonZero)
    {
        long zeros = 0;
        float[] column = new float[g.Reduction];
        for (int item = 0; item < g.Batch; item++)
        {
            for (int m = 0; m < g.OutChannels; m++)
            {
                int group = m / g.GroupFilters;
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        g.Im2Col<float>(input, item, group, oh, ow, column);
                        for (int k = 0; k < g.Reduction; k++)
                        {
                            zeros += column[k] == 0 || !weightNonZero[(m * g.Reduction) + k] ? 1 : 0;
                        }
                    }
                }
            }
        }

        return zeros;
    }

    [TestCase(1, 4, 6, 6, 6, 3, 1, 1, 1)]
    [TestCase(2, 4, 5, 7, 4, 3, 2, 1, 2)]
    [TestCase(1, 6, 5, 5, 6, 3, 1, 2, 6)]
    [TestCase(3, 8, 1, 1, 5, 1, 1, 0, 1)]
    public void Count_EqualsBruteForce(int batch, int channels, int height, int width, int filters, int kernel, int stride, int padding, int groups)
    {
        var g = new ConvShape(batch, channels, height, width, filters, kernel, kernel, stride, stride, padding, padding, padding, padding, 1, 1, groups);
        var random = new Random(5);

        // About a third of the inputs and a quarter of the weights are zero.
        float[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => random.NextDouble() < 0.33 ? 0f : (float)random.NextDouble() + 0.1f).ToArray();
        bool[] weights = Enumerable.Range(0, (int)g.WeightLength).Select(_ => random.NextDouble() >= 0.25).ToArray();
        long expected = BruteForce(g, input, weights);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ZeroOperands.Count(g, input, weights), Is.EqualTo(expected));
            Assert.That(expected, Is.GreaterThan(0).And.LessThan((long)g.Batch * g.OutChannels * g.PixelsPerItem * g.Reduction));
        }
    }

    [TestCase(1, 1, 2)]
    [TestCase(2, 2, 1)]
    [TestCase(2, 1, 2)]
    public void CountTensor_FromFilterCounts_EqualsBruteForce_OnEveryThreadCount(int stride, int dilation, int groups)
    {
        // Mantissas as the datapath captures them (zero is a zero operand), an asymmetric padding and a dilated,
        // strided kernel: the per-row running counts must give the MAC-by-MAC count with 1 and 2 threads.
        var g = new ConvShape(2, 4, 9, 8, 6, 3, 3, stride, stride, 1, 2, 2, 0, dilation, dilation, groups);
        var random = new Random(11);
        int[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => random.NextDouble() < 0.35 ? 0 : random.Next(1, 100)).ToArray();
        short[] mantissas = Enumerable.Range(0, (int)g.WeightLength).Select(_ => (short)(random.NextDouble() < 0.3 ? 0 : random.Next(-90, 90) | 1)).ToArray();
        long expected = BruteForce(g, Array.ConvertAll(input, v => (float)v), Array.ConvertAll(mantissas, w => w != 0));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ZeroOperands.CountTensor(g, input, ZeroOperands.FilterCounts(g, mantissas, 1), 1), Is.EqualTo(expected));
            Assert.That(ZeroOperands.CountTensor(g, input, ZeroOperands.FilterCounts(g, mantissas, 2), 2), Is.EqualTo(expected));
            Assert.That(expected, Is.GreaterThan(0).And.LessThan((long)g.Batch * g.OutChannels * g.PixelsPerItem * g.Reduction));
        }
    }

    [Test]
    public void CountColumns_AgreesWithCount_OnTheSameOperands()
    {
        var g = new ConvShape(2, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2);
        var random = new Random(9);
        float[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => random.NextDouble() < 0.4 ? 0f : 1f).ToArray();
        bool[] weights = Enumerable.Range(0, (int)g.WeightLength).Select(_ => random.NextDouble() >= 0.3).ToArray();

        // The im2col layout [groups, batch·pixels, K], as the BFP datapath captures it.
        int[] columns = new int[g.Groups * g.Batch * g.PixelsPerItem * g.Reduction];
        float[] column = new float[g.Reduction];
        int at = 0;
        for (int group = 0; group < g.Groups; group++)
        {
            for (int item = 0; item < g.Batch; item++)
            {
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        g.Im2Col<float>(input, item, group, oh, ow, column);
                        foreach (float v in column)
                        {
                            columns[at++] = (int)v;
                        }
                    }
                }
            }
        }

        Assert.That(ZeroOperands.CountColumns(g, columns, weights), Is.EqualTo(ZeroOperands.Count(g, input, weights)));
    }
    [TestCase(200, 1, 600, 2)]
    [TestCase(64, 3, 520, 1)]
    public void PackedFilterCounts_AreTheMantissasCounts_AcrossRunsOfFilters(int channels, int kernel, int filters, int groups)
    {
        // Packed bytes are counted 255 filters at a time in byte counters: 300 filters per group (a run of 255 and one
        // of 45) over K = 100 (three vectors of 32 and a tail of 4), and 520 filters (255, 255, 10) over K = 576 in a
        // 3×3 window's packed order. Every fourth mantissa is zero, the rest ±1…±127.
        var g = new ConvShape(1, channels, kernel, kernel, filters, kernel, kernel, 1, 1, 0, 0, 0, 0, 1, 1, groups);
        var random = new Random(61);
        short[] mantissas = Enumerable.Range(0, (int)g.WeightLength).Select(_ => (short)(random.Next(4) == 0 ? 0 : random.Next(1, 128) * (random.Next(2) * 2 - 1))).ToArray();
        (sbyte[] bytes, _) = IntegerGemm.PackWeights(mantissas, g.OutChannels, g.Reduction, kernel * kernel);

        long[] counts = ZeroOperands.PackedFilterCounts(g, bytes, kernel * kernel, 2);

        Assert.That(counts, Is.EqualTo(ZeroOperands.FilterCounts(g, mantissas, 1)));
    }
}

