namespace AccelSim.Hardware;

/// <summary>Why a compute engine is not computing. Every cycle of a layer is either compute or a stall of one cause.</summary>
public enum StallCause
{
    /// <summary>Waiting for an input-feature-map tile to arrive from DRAM.</summary>
    Ifmap,

    /// <summary>Waiting for a weight tile to arrive from DRAM.</summary>
    Weights,

    /// <summary>Waiting for room in the output buffer, or for the last results to reach DRAM.</summary>
    OutputDrain,

    /// <summary>Operands arrive slower from the buffers' read ports and banks than the array consumes them (or results
    /// are written slower than it makes them).</summary>
    SramBandwidth,

    /// <summary>Operands (or results) pass the BFP converters slower than the array consumes (or makes) them.</summary>
    Converter,
}
