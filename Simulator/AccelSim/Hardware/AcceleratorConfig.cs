using AccelSim.Energy;
using AccelSim.Numerics;

namespace AccelSim.Hardware;

/// <summary>How operands are held in the PE array while a fold runs.</summary>
public enum Dataflow
{
    OutputStationary,
    WeightStationary,
    InputStationary,
    RowStationary,
}

/// <summary>The PE array: <see cref="Rows"/> × <see cref="Cols"/> multiply-accumulate units.</summary>
public sealed record PeArrayConfig(int Rows, int Cols, Dataflow Dataflow)
{
    public int PeCount => Rows * Cols;
}

/// <summary>An on-chip SRAM buffer, split into two halves for double buffering.</summary>
/// <param name="Name">Component name (<c>ifmap</c>, <c>weights</c>, <c>ofmap</c>).</param>
/// <param name="CapacityBytes">Total capacity of both halves.</param>
/// <param name="WordBits">Width of one access.</param>
/// <param name="ReadPorts">Words that can be read per cycle.</param>
/// <param name="WritePorts">Words that can be written per cycle.</param>
public sealed record SramConfig(string Name, long CapacityBytes, int WordBits, int ReadPorts, int WritePorts)
{
    /// <summary>Capacity of one half: what one tile may occupy while the other half is being filled.</summary>
    public long HalfCapacityBytes => CapacityBytes / 2;

    public double ReadBytesPerCycle => ReadPorts * WordBits / 8.0;

    public double WriteBytesPerCycle => WritePorts * WordBits / 8.0;
}

/// <summary>The three per-tensor buffers.</summary>
public sealed record BufferSetConfig(SramConfig Ifmap, SramConfig Weights, SramConfig Ofmap);

/// <summary>Off-chip memory: one channel shared by all transfers, served in request order.</summary>
/// <param name="BandwidthBytesPerCycle">Sustained bytes per core clock cycle (converted from GB/s with the clock).</param>
/// <param name="LatencyCycles">Cycles from the end of a transfer's data beats to its completion.</param>
public sealed record DramConfig(double BandwidthBytesPerCycle, long LatencyCycles);

/// <summary>The vector unit running pooling, ReLU and residual additions in float32.</summary>
public sealed record VectorUnitConfig(int Lanes);

/// <summary>A validated accelerator description. Every quantity is in canonical units (cycles, bytes).</summary>
public sealed record AcceleratorConfig
{
    public required string Name { get; init; }

    public required double ClockMegahertz { get; init; }

    public required PeArrayConfig PeArray { get; init; }

    public required BufferSetConfig Buffers { get; init; }

    public required DramConfig Dram { get; init; }

    public required VectorUnitConfig VectorUnit { get; init; }

    public required BfpSettings Bfp { get; init; }

    public required EnergyTable Energy { get; init; }

    /// <summary>A run still going after this many cycles in one layer stops with an error (runaway guard).</summary>
    public required long MaxCycles { get; init; }

    /// <summary>Count as SCALE-Sim v2 does where it differs from the native model (no padding, partial sums rewritten).</summary>
    public bool ScaleSimCompatible { get; init; }

    /// <summary>Where fold lengths come from: the closed form, or a literal per-PE, per-cycle model of every fold.</summary>
    public TimingDetail Detail { get; init; }
}

/// <summary>How fold lengths are obtained; both give the same cycles (the tests prove it), the PE level is slower.</summary>
public enum TimingDetail
{
    ClosedForm,
    PeLevel,
}
