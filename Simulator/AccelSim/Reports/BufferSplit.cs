namespace AccelSim.Reports;

/// <summary>The capacity a layer gave each tensor in a unified buffer, bytes.</summary>
/// <param name="IfmapBytes">The input feature maps' part.</param>
/// <param name="WeightBytes">The weights' part.</param>
/// <param name="OfmapBytes">The output feature maps' part.</param>
public sealed record BufferSplit(long IfmapBytes, long WeightBytes, long OfmapBytes);
