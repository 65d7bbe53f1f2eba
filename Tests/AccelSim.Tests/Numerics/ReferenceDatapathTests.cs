using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

public sealed class ReferenceDatapathTests
{
    // Shapes that reach every edge of the kernels' tiling (24 columns per tile, passes of 256 k, register blocks of
    // 2 filters × 3 columns and 4 filters × 4 columns): batch, channels, height, width, filters, kernel height, kernel
    // width, stride (height, width), padding (top, left, bottom, right), dilation (height, width), groups.
    private static readonly object[] Shapes =
    [
        // K = 4 and 3: below one run of eight, every k one by one; 25 columns (one tile and one column left).
        new object[] { new ConvShape(1, 1, 5, 5, 5, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1) },
        new object[] { new ConvShape(1, 3, 4, 4, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1) },
        // K = 27 (three runs and a tail of 3, VGG's first layer), 64 filters, 7 × 6 = 42 columns (a tile and 18).
        new object[] { new ConvShape(1, 3, 7, 6, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) },
        // K = 600 (two passes and 88), 9 filters (two blocks of 4 and one left, four blocks of 2 and one left).
        new object[] { new ConvShape(1, 24, 6, 6, 9, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1) },
        // K = 4,608 (18 whole passes), 7 filters; 9 columns.
        new object[] { new ConvShape(1, 512, 3, 3, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) },
        // Stride 2 × 1, dilation 1 × 2, asymmetric padding, K = 72, 2 groups of 5 filters, batch 2 (a tile's columns
        // span two items).
        new object[] { new ConvShape(2, 16, 9, 11, 10, 3, 3, 2, 1, 1, 0, 2, 1, 1, 2, 2) },
        // 3 groups, K = 18 (two runs and a tail of 2), batch 3, 4 × 4 = 16 columns per item.
        new object[] { new ConvShape(3, 6, 4, 4, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3) },
        // FC layers: batch 1 with K = 4,100 (16 passes and a tail of 4) and 131 filters, split by filters into
        // items of 64 (the last item's 3 filters are fewer than a block); batch 3 with 67 filters.
        new object[] { new ConvShape(1, 4_100, 1, 1, 131, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1) },
        new object[] { new ConvShape(3, 264, 1, 1, 67, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1) },
    ];

    [TestCaseSource(nameof(Shapes))]
    public void EveryKernel_IsDotOfEachOutput_BitForBit_OnEveryThreadCount(ConvShape g)
    {
        var random = new Random(g.Reduction + g.OutChannels);
        double[] input = Enumerable.Range(0, (int)g.InputLength).Select(_ => random.NextDouble() - 0.5).ToArray();
        float[] weights = Enumerable.Range(0, (int)g.WeightLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] bias = Enumerable.Range(0, g.OutChannels).Select(i => (i * 0.25f) - 1).ToArray();

        // The definition: each output is Dot(filter row, im2col column) + bias, whatever the kernel and tiling.
        var expected = new double[g.OutputLength];
        var column = new double[g.Reduction];
        for (int item = 0; item < g.Batch; item++)
        {
            for (int m = 0; m < g.OutChannels; m++)
            {
                for (int pixel = 0; pixel < g.PixelsPerItem; pixel++)
                {
                    g.Im2Col<double>(input, item, m / g.GroupFilters, pixel / g.OutWidth, pixel % g.OutWidth, column);
                    expected[(((long)item * g.OutChannels) + m) * g.PixelsPerItem + pixel] =
                        ReferenceDatapath.Dot(weights.AsSpan(m * g.Reduction, g.Reduction), column) + bias[m];
                }
            }
        }

        // Each kernel runs whether or not the CPU has its vectors (in software where it has not), so the comparison
        // is made on every machine.
        long[] Bits(double[] values) => Array.ConvertAll(values, BitConverter.DoubleToInt64Bits);
        using (Assert.EnterMultipleScope())
        {
            foreach (ReferenceKernel kernel in Enum.GetValues<ReferenceKernel>())
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    Assert.That(Bits(ReferenceDatapath.Convolve(g, input, weights, bias, threads, kernel)), Is.EqualTo(Bits(expected)), $"{kernel}, {threads} thread(s)");
                }
            }
        }
    }
}
