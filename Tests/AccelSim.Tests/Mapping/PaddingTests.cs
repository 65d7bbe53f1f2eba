using AccelSim.Mapping;
using AccelSim.Workloads;

namespace AccelSim.Tests.Mapping;

/// <summary>Padding zeros are made at the array edge: the mapper counts only the im2col elements that read real input.</summary>
public sealed class PaddingTests
{
    // (kernel, stride, pad, dilation, input) on a square map with 2 channels and batch 2.
    private static readonly (int Kernel, int Stride, int Pad, int Dilation, int Size)[] Shapes =
        [(3, 1, 1, 1, 6), (3, 2, 1, 1, 7), (5, 1, 2, 1, 5), (3, 1, 2, 2, 6), (1, 1, 0, 1, 4), (7, 2, 3, 1, 9), (2, 3, 0, 1, 8)];

    [Test]
    public void RealOperands_EqualsABruteForceCountOfInBoundsTaps_ForAnyPixelAndReductionRange([Range(0, 6)] int shape)
    {
        var (kernel, stride, pad, dilation, size) = Shapes[shape];
        int output = ((size + (2 * pad) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        const int channels = 2;
        const int batch = 2;
        var g = new ConvShape(batch, channels, size, size, 4, kernel, kernel, stride, stride, pad, pad, pad, pad, dilation, dilation, 1);
        long pixels = g.Pixels;
        long k = g.Reduction;
        var random = new Random(shape);

        for (int trial = 0; trial < 200; trial++)
        {
            long p0 = random.NextInt64(0, pixels);
            long p1 = random.NextInt64(p0, pixels + 1);
            long k0 = random.NextInt64(0, k);
            long k1 = random.NextInt64(k0, k + 1);

            Assert.That(g.RealOperands(p0, p1, k0, k1), Is.EqualTo(BruteForce(p0, p1, k0, k1)), $"pixels [{p0},{p1}) K [{k0},{k1})");
        }

        long BruteForce(long p0, long p1, long k0, long k1)
        {
            long count = 0;
            for (long p = p0; p < p1; p++)
            {
                long inItem = p % ((long)output * output);
                long oy = inItem / output;
                long ox = inItem % output;
                for (long index = k0; index < k1; index++)
                {
                    long tap = index % (kernel * kernel);
                    long y = (oy * stride) - pad + ((tap / kernel) * dilation);
                    long x = (ox * stride) - pad + ((tap % kernel) * dilation);
                    count += y >= 0 && y < size && x >= 0 && x < size ? 1 : 0;
                }
            }

            return count;
        }
    }

    [TestCase(3, 5, 2, 1, 1, 2, 1, 2, 7, 9)]
    [TestCase(5, 3, 1, 3, 2, 0, 1, 1, 8, 12)]
    [TestCase(1, 7, 1, 2, 0, 3, 1, 1, 4, 20)]
    [TestCase(3, 3, 1, 1, 1, 1, 1, 1, 3, 40)]
    public void RealOperands_EqualsABruteForceCount_OnRectangularWindows(
        int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int height, int width)
    {
        // 3 channels, batch 2; output sizes by the usual floor. Every pixel and reduction range of every length is
        // compared, so runs that start, end or wrap anywhere along an output row are all covered.
        int outH = ((height + (2 * padH) - (dilationH * (kernelH - 1)) - 1) / strideH) + 1;
        int outW = ((width + (2 * padW) - (dilationW * (kernelW - 1)) - 1) / strideW) + 1;
        var g = new ConvShape(2, 3, height, width, 4, kernelH, kernelW, strideH, strideW, padH, padW, padH, padW, dilationH, dilationW, 1);
        var random = new Random(kernelH * 100 + width);

        for (int trial = 0; trial < 300; trial++)
        {
            long p0 = random.NextInt64(0, g.Pixels);
            long p1 = random.NextInt64(p0, g.Pixels + 1);
            long k0 = random.NextInt64(0, g.Reduction);
            long k1 = random.NextInt64(k0, g.Reduction + 1);

            Assert.That(g.RealOperands(p0, p1, k0, k1), Is.EqualTo(BruteForce(p0, p1, k0, k1)), $"pixels [{p0},{p1}) K [{k0},{k1})");
        }

        long BruteForce(long p0, long p1, long k0, long k1)
        {
            long count = 0;
            for (long p = p0; p < p1; p++)
            {
                long inItem = p % ((long)outH * outW);
                for (long index = k0; index < k1; index++)
                {
                    long tap = index % (kernelH * kernelW);
                    long y = ((inItem / outW) * strideH) - padH + ((tap / kernelW) * dilationH);
                    long x = ((inItem % outW) * strideW) - padW + ((tap % kernelW) * dilationW);
                    count += y >= 0 && y < height && x >= 0 && x < width ? 1 : 0;
                }
            }

            return count;
        }
    }

    [Test]
    public void WithoutPadding_EveryIm2colElementIsReal()
    {
        // 3×3 stride 1 on 6×6 without padding: every window is inside, so 16 pixels × 18 taps are all real.
        var g = new ConvShape(1, 2, 6, 6, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);

        Assert.That(g.RealOperands(0, 16, 0, 18), Is.EqualTo(16 * 18));
    }
}
