using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

/// <summary>How SCALE-Sim v2 sees a layer, in the shared <see cref="ConvShape"/> vocabulary: an unpadded input
/// (H×W×C, channel innermost), a Fh×Fw×C filter per output channel, strides, batch 1, one group, no dilation.</summary>
/// <remarks>
/// SCALE-Sim's GEMM letters map to the shape as M = <see cref="ConvShape.PixelsPerItem"/> (E·F output pixels),
/// K = <see cref="ConvShape.Reduction"/> (Fh·Fw·C) and N = <see cref="ConvShape.OutChannels"/>. SCALE-Sim rounds its
/// output size up (E = ⌈(H − Fh + Sh)/Sh⌉): the last window may hang over the bottom or right edge. That overhang is the
/// shape's bottom and right padding, which SCALE-Sim reads nothing from (−1 in its address matrices); the shape keeps no
/// top or left padding.
/// </remarks>
public static class ScaleSimShapes
{
    /// <summary>SCALE-Sim's output extent along one axis: ⌈(size − filter + stride)/stride⌉.</summary>
    /// <param name="size">Input extent; Range: size ≥ <paramref name="filter"/>.</param>
    /// <param name="filter">Filter extent; at least 1.</param>
    /// <param name="stride">Stride; at least 1.</param>
    public static int OutputSize(int size, int filter, int stride) => ((size - filter + stride - 1) / stride) + 1;

    /// <summary>A SCALE-Sim topology layer as a shape: an unpadded <paramref name="height"/>×<paramref name="width"/>
    /// input of <paramref name="channels"/> channels, <paramref name="filters"/> filters, and as much bottom/right
    /// padding as the last window hangs over, so that the output is SCALE-Sim's rounded-up size.</summary>
    /// <remarks>The filter must fit the input (Fh ≤ H, Fw ≤ W), as <see cref="ScaleSimTopologyReader"/> checks.</remarks>
    public static ConvShape Unpadded(
        int height, int width, int filterHeight, int filterWidth, int channels, int filters, int strideHeight, int strideWidth)
    {
        int overhangRows = ((OutputSize(height, filterHeight, strideHeight) - 1) * strideHeight) + filterHeight - height;
        int overhangColumns = ((OutputSize(width, filterWidth, strideWidth) - 1) * strideWidth) + filterWidth - width;
        return new ConvShape(
            Batch: 1, InChannels: channels, InHeight: height, InWidth: width, OutChannels: filters,
            KernelHeight: filterHeight, KernelWidth: filterWidth, StrideHeight: strideHeight, StrideWidth: strideWidth,
            PadTop: 0, PadLeft: 0, PadBottom: overhangRows, PadRight: overhangColumns,
            DilationHeight: 1, DilationWidth: 1, Groups: 1);
    }

    /// <summary>Whether SCALE-Sim has a model of <paramref name="shape"/>: batch 1, one group, no dilation, no top or
    /// left padding.</summary>
    public static bool IsScaleSimShape(ConvShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape is { Batch: 1, Groups: 1, DilationHeight: 1, DilationWidth: 1, PadTop: 0, PadLeft: 0 };
    }
}
