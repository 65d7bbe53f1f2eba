namespace AccelSim.Workloads;

/// <summary>The shape of a 2-D max or average pooling over a batch, the one description workloads, mapping and numerics
/// share (the pooling counterpart of <see cref="ConvShape"/>).</summary>
/// <remarks>
/// <para>Each of the <see cref="Planes"/> channel planes is pooled on its own: a window of
/// <see cref="KernelHeight"/>×<see cref="KernelWidth"/> elements moves by the stride over the padded plane. Tensors are
/// dense NCHW, the output has as many channels as the input. The output size follows from the rest by the same floor rule
/// as a convolution's (pooling has no dilation), so the record cannot disagree with itself.</para>
/// <para>Sizes are in elements; every extent is at least 1, and the padding is smaller than the kernel on every side, so
/// every window holds an input element (the workload readers check this).</para>
/// </remarks>
public sealed record PoolShape(
    int Batch, int Channels, int InHeight, int InWidth, int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth, int PadTop, int PadLeft, int PadBottom, int PadRight)
{
    /// <summary>Output rows, floor((H + padding − R) / stride) + 1.</summary>
    public int OutHeight => WindowExtent.Output(InHeight, PadTop, PadBottom, KernelHeight, StrideHeight, dilation: 1);

    /// <summary>Output columns, floor((W + padding − S) / stride) + 1.</summary>
    public int OutWidth => WindowExtent.Output(InWidth, PadLeft, PadRight, KernelWidth, StrideWidth, dilation: 1);

    /// <summary>Channel planes of the whole batch (N·C), each pooled independently.</summary>
    public int Planes => Batch * Channels;

    /// <summary>Input elements of one channel plane (H·W).</summary>
    public long PlaneInputElements => (long)InHeight * InWidth;

    /// <summary>Output elements of one channel plane.</summary>
    public long PlaneOutputs => (long)OutHeight * OutWidth;

    /// <summary>Elements of one window, padding included: the vector operations of one output element.</summary>
    public long WindowElements => (long)KernelHeight * KernelWidth;

    /// <summary>Elements of the input tensor (all batch items).</summary>
    public long InputLength => Planes * PlaneInputElements;

    /// <summary>Elements of the output tensor (all batch items).</summary>
    public long OutputLength => Planes * PlaneOutputs;
}
