namespace AccelSim.Workloads;

/// <summary>The output-size rule of a window sliding over one axis, shared by <see cref="ConvShape"/> and
/// <see cref="PoolShape"/>.</summary>
internal static class WindowExtent
{
    /// <summary>Window positions along one axis: floor((extent + padding − dilation·(kernel − 1) − 1) / stride) + 1.</summary>
    /// <remarks>Meaningful when the padded extent holds the (dilated) kernel at least once; the workload readers check
    /// that before a shape exists.</remarks>
    public static int Output(int extent, int padBefore, int padAfter, int kernel, int stride, int dilation) =>
        ((extent + padBefore + padAfter - (dilation * (kernel - 1)) - 1) / stride) + 1;
}
