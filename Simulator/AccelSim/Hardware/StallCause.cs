namespace AccelSim.Hardware;

/// <summary>Why a compute engine is not computing. Every cycle of a layer is either compute or a stall of one cause.
/// New causes go last: report columns follow this order.</summary>
public enum StallCause
{
    /// <summary>Waiting for an input-feature-map tile while DRAM moves it (its data beats, row openings, latency).</summary>
    Ifmap,

    /// <summary>Waiting for a weight tile while DRAM moves it.</summary>
    Weights,

    /// <summary>Waiting for room in the output buffer, or for the last results to reach DRAM.</summary>
    OutputDrain,

    /// <summary>Operands arrive slower from the buffers' read ports and banks than the array consumes them (or results
    /// are written slower than it makes them).</summary>
    SramBandwidth,

    /// <summary>Operands (or results) pass the BFP converters slower than the array consumes (or makes) them.</summary>
    Converter,

    /// <summary>Waiting for a tile whose DRAM request is queued behind other transfers: the channel's bandwidth is
    /// taken by other traffic.</summary>
    DramBandwidth,

    /// <summary>The systolic array filling with operands before a fold's first result and draining after its last
    /// (R − 1 and C − 1 cycles per pass for output stationary): the array holds work but completes no new MAC wave.</summary>
    FillDrain,
}
