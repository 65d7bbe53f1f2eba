namespace AccelSim.Workloads;

/// <summary>The shape of a 2-D convolution over a batch, the one description workloads, mapping and numerics share. A
/// fully connected layer is its 1×1 special case: a 1×1 kernel on a 1×1 map whose channels are the input features.</summary>
/// <remarks>
/// <para>In the literature's loop letters (Timeloop): N = <see cref="Batch"/>, C = <see cref="InChannels"/>,
/// K = <see cref="OutChannels"/>, P×Q = <see cref="OutHeight"/>×<see cref="OutWidth"/>, R×S =
/// <see cref="KernelHeight"/>×<see cref="KernelWidth"/>. Per group the convolution is the GEMM
/// <c>O = W · I</c>: W is <see cref="GroupFilters"/> × <see cref="Reduction"/>, I is <see cref="Reduction"/> ×
/// <see cref="Pixels"/> (the im2col operand; SCALE-Sim names the pixels M, the reduction K and the filters N).</para>
/// <para>Tensors are dense, row-major: input NCHW, weights [OutChannels, InChannels/Groups, KernelHeight, KernelWidth],
/// output NCHW. The output size follows from the rest by the usual floor rule, so the record cannot disagree with
/// itself. Sizes are in elements; every extent is at least 1, and the channels are multiples of
/// <see cref="Groups"/> (the workload readers check this).</para>
/// </remarks>
public sealed record ConvShape(
    int Batch, int InChannels, int InHeight, int InWidth, int OutChannels, int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth, int PadTop, int PadLeft, int PadBottom, int PadRight,
    int DilationHeight, int DilationWidth, int Groups)
{
    /// <summary>The shape of a conv or FC layer at <paramref name="batch"/>; null for every other layer.</summary>
    public static ConvShape? Of(Layer layer, int batch) => layer switch
    {
        ConvLayer c => c.ShapeFor(batch),
        FullyConnectedLayer f => f.ShapeFor(batch),
        _ => null,
    };

    /// <summary>P: output rows, floor((H + padding − dilation·(R − 1) − 1) / stride) + 1.</summary>
    public int OutHeight => WindowExtent.Output(InHeight, PadTop, PadBottom, KernelHeight, StrideHeight, DilationHeight);

    /// <summary>Q: output columns, floor((W + padding − dilation·(S − 1) − 1) / stride) + 1.</summary>
    public int OutWidth => WindowExtent.Output(InWidth, PadLeft, PadRight, KernelWidth, StrideWidth, DilationWidth);

    /// <summary>Filters per group (the rows of W).</summary>
    public int GroupFilters => OutChannels / Groups;

    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>The reduction length of one output element: one group's input channels times the kernel window.</summary>
    public int Reduction => GroupInChannels * KernelHeight * KernelWidth;

    /// <summary>Output pixels per batch item (P·Q).</summary>
    public int PixelsPerItem => OutHeight * OutWidth;

    /// <summary>Output pixels of the whole batch (N·P·Q): the columns of the im2col operand.</summary>
    public long Pixels => (long)OutHeight * OutWidth * Batch;

    /// <summary>Elements of the input tensor (all batch items).</summary>
    public long InputLength => (long)Batch * InChannels * InHeight * InWidth;

    /// <summary>Elements of the weight tensor.</summary>
    public long WeightLength => (long)OutChannels * Reduction;

    /// <summary>Elements of the output tensor (all batch items).</summary>
    public long OutputLength => (long)Batch * OutChannels * PixelsPerItem;

    /// <summary>A fully connected layer of <paramref name="inFeatures"/> inputs and <paramref name="outFeatures"/>
    /// outputs: a 1×1 convolution on a 1×1 map.</summary>
    public static ConvShape FullyConnected(int batch, int inFeatures, int outFeatures) =>
        new(batch, inFeatures, 1, 1, outFeatures, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);

    /// <summary>The same convolution with its top and left padding, and the first <paramref name="bottomRows"/> rows and
    /// <paramref name="rightColumns"/> columns of its bottom and right padding, made part of the input (zeros stored
    /// like data); the output size is unchanged.</summary>
    /// <param name="bottomRows">Range: 0 ≤ bottomRows ≤ <see cref="PadBottom"/>.</param>
    /// <param name="rightColumns">Range: 0 ≤ rightColumns ≤ <see cref="PadRight"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or larger than that side's padding.</exception>
    public ConvShape WithPaddingInInput(int bottomRows, int rightColumns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bottomRows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bottomRows, PadBottom);
        ArgumentOutOfRangeException.ThrowIfNegative(rightColumns);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rightColumns, PadRight);
        return this with
        {
            InHeight = PadTop + InHeight + bottomRows,
            InWidth = PadLeft + InWidth + rightColumns,
            PadTop = 0,
            PadLeft = 0,
            PadBottom = PadBottom - bottomRows,
            PadRight = PadRight - rightColumns,
        };
    }

    /// <summary>The same convolution with all its padding made part of the input: no padding is left.</summary>
    public ConvShape WithPaddingInInput() => WithPaddingInInput(PadBottom, PadRight);
}
