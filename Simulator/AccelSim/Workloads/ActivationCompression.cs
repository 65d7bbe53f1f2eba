namespace AccelSim.Workloads;

/// <summary>How zeros of a feature map are squeezed out on its way to and from DRAM (docs/memory.md); the buffers
/// hold it decompressed.</summary>
public enum ActivationCompression
{
    /// <summary>Stored as the storage format says, zeros included.</summary>
    None,

    /// <summary>Eyeriss run-length coding: words of three (5-bit zero run, value) pairs and one flag bit.</summary>
    RunLength,

    /// <summary>One presence bit per element, then the nonzero values packed in the storage format.</summary>
    Bitmap,
}
