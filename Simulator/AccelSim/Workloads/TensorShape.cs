namespace AccelSim.Workloads;

/// <summary>The shape of one feature map of one batch item: channels × height × width (CHW order).</summary>
public readonly record struct TensorShape(int Channels, int Height, int Width)
{
    /// <summary>Number of elements of one batch item.</summary>
    public long Elements => (long)Channels * Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
