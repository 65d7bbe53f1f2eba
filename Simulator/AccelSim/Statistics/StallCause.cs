using System.Collections.Immutable;

namespace AccelSim.Statistics;

/// <summary>Why a compute engine is not computing. Every cycle of a layer is either compute or a stall of one cause;
/// each cause is a counter of its own (<c>stall_cycles.</c> followed by <see cref="StallCauses.Name"/>).
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

    /// <summary>The vector unit on the output path (a fused ReLU or pool) takes the array's results slower than the array
    /// makes them: its lanes set the output path's throughput.</summary>
    VectorUnit,
}

/// <summary>The stable names of the stall causes: the stat-path segment, the report field and the trace slice name
/// all use them, so they never change once written.</summary>
public static class StallCauses
{
    /// <summary>Every cause, in declaration order (the order of report columns).</summary>
    public static ImmutableArray<StallCause> All { get; } = [.. Enum.GetValues<StallCause>()];

    /// <summary>The cause's stable lower-case name, for example <c>sram_bandwidth</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cause"/> is not a defined cause.</exception>
    public static string Name(StallCause cause) => cause switch
    {
        StallCause.Ifmap => "ifmap",
        StallCause.Weights => "weights",
        StallCause.OutputDrain => "output_drain",
        StallCause.SramBandwidth => "sram_bandwidth",
        StallCause.Converter => "converter",
        StallCause.DramBandwidth => "dram_bandwidth",
        StallCause.FillDrain => "fill_drain",
        StallCause.VectorUnit => "vector_unit",
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "unknown stall cause"),
    };
}
