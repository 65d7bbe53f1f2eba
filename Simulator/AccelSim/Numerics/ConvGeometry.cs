namespace AccelSim.Numerics;

/// <summary>The shape of a 2-D convolution (a fully connected layer is a 1×1 convolution on a 1×1 map) and its GEMM
/// form <c>O (M×N) = W (M×K) · I (K×N)</c> per group. Tensors are dense, row-major: input NCHW, weights
/// [OutChannels, InChannels/Groups, KernelHeight, KernelWidth], output NCHW.</summary>
public sealed record ConvGeometry(
    int Batch, int InChannels, int InHeight, int InWidth, int OutChannels, int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth, int PadTop, int PadLeft, int PadBottom, int PadRight,
    int DilationHeight, int DilationWidth, int Groups)
{
    public int OutHeight => ((InHeight + PadTop + PadBottom - (DilationHeight * (KernelHeight - 1)) - 1) / StrideHeight) + 1;

    public int OutWidth => ((InWidth + PadLeft + PadRight - (DilationWidth * (KernelWidth - 1)) - 1) / StrideWidth) + 1;

    /// <summary>Filters per group (M).</summary>
    public int GroupFilters => OutChannels / Groups;

    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>K: reduction length of one output element.</summary>
    public int Reduction => GroupInChannels * KernelHeight * KernelWidth;

    /// <summary>Output pixels per batch item.</summary>
    public int PixelsPerItem => OutHeight * OutWidth;

    public long InputLength => (long)Batch * InChannels * InHeight * InWidth;

    public long WeightLength => (long)OutChannels * Reduction;

    public long OutputLength => (long)Batch * OutChannels * PixelsPerItem;

    public static ConvGeometry FullyConnected(int batch, int inFeatures, int outFeatures) =>
        new(batch, inFeatures, 1, 1, outFeatures, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);

    /// <summary>Fills <paramref name="column"/> with the K input values (padding zeros included) of output pixel
    /// (<paramref name="item"/>, <paramref name="oh"/>, <paramref name="ow"/>) of group <paramref name="group"/>, in
    /// K order: input channel slowest, then kernel row, kernel column.</summary>
    public void Im2Col<T>(ReadOnlySpan<T> input, int item, int group, int oh, int ow, Span<T> column)
    {
        int k = 0;
        int channelBase = group * GroupInChannels;
        for (int c = 0; c < GroupInChannels; c++)
        {
            int plane = ((item * InChannels) + channelBase + c) * InHeight;
            for (int r = 0; r < KernelHeight; r++)
            {
                int ih = (oh * StrideHeight) - PadTop + (r * DilationHeight);
                bool rowInside = ih >= 0 && ih < InHeight;
                int rowStart = (plane + ih) * InWidth;
                for (int s = 0; s < KernelWidth; s++)
                {
                    int iw = (ow * StrideWidth) - PadLeft + (s * DilationWidth);
                    column[k++] = rowInside && iw >= 0 && iw < InWidth ? input[rowStart + iw] : default!;
                }
            }
        }
    }
}
