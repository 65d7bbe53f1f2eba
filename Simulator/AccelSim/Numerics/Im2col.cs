using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>The im2col view of a convolution's input: the reduction column one output pixel reads.</summary>
public static class Im2col
{
    /// <summary>Fills <paramref name="column"/> with the K input values (padding zeros included) of output pixel
    /// (<paramref name="item"/>, <paramref name="oh"/>, <paramref name="ow"/>) of group <paramref name="group"/>, in
    /// K order: input channel slowest, then kernel row, kernel column.</summary>
    /// <param name="input">The NCHW input of <paramref name="g"/>.</param>
    /// <param name="column">At least <see cref="ConvShape.Reduction"/> elements.</param>
    /// <param name="padding">What a padding position holds (zero, or the code of zero in an offset encoding).</param>
    public static void Im2Col<T>(this ConvShape g, ReadOnlySpan<T> input, int item, int group, int oh, int ow, Span<T> column, T padding = default!)
    {
        ArgumentNullException.ThrowIfNull(g);
        int k = 0;
        int channelBase = group * g.GroupInChannels;
        for (int c = 0; c < g.GroupInChannels; c++)
        {
            int plane = ((item * g.InChannels) + channelBase + c) * g.InHeight;
            for (int r = 0; r < g.KernelHeight; r++)
            {
                int ih = (oh * g.StrideHeight) - g.PadTop + (r * g.DilationHeight);
                bool rowInside = ih >= 0 && ih < g.InHeight;
                int rowStart = (plane + ih) * g.InWidth;
                for (int s = 0; s < g.KernelWidth; s++)
                {
                    int iw = (ow * g.StrideWidth) - g.PadLeft + (s * g.DilationWidth);
                    column[k++] = rowInside && iw >= 0 && iw < g.InWidth ? input[rowStart + iw] : padding;
                }
            }
        }
    }
}
