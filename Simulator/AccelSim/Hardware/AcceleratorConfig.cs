using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Hardware;

/// <summary>How operands are held in the PE array while a fold runs.</summary>
public enum Dataflow
{
    OutputStationary,
    WeightStationary,
    InputStationary,
    RowStationary,
}

/// <summary>What the PEs multiply: BFP mantissas in fixed point (the seed's remedy), or IEEE floats.</summary>
public enum Arithmetic
{
    /// <summary>Integer mantissa MACs; weights and inputs converted to BFP (the <c>bfp</c> settings).</summary>
    Bfp,

    /// <summary>float16 operands, float16 multiplier, float32 accumulator.</summary>
    Float16,

    /// <summary>float32 operands, multiplier and accumulator.</summary>
    Float32,
}

/// <summary>What a PE does with a MAC one of whose operands is zero.</summary>
public enum ZeroOperandPolicy
{
    /// <summary>Nothing special: the MAC costs what any MAC costs.</summary>
    None,

    /// <summary>Clock-gate the multiplier and the accumulator update: the MAC still takes its cycle but costs no arithmetic energy.</summary>
    Gate,

    /// <summary>Gate, and also skip the reduction steps at which every weight in the array's columns is zero (the
    /// output-stationary array streams K in lock-step, so only a zero shared by all its filters saves a cycle).</summary>
    Skip,
}

/// <summary>How weights are stored in DRAM and in the weight buffer.</summary>
public enum WeightStorage
{
    /// <summary>Every weight, zero or not.</summary>
    Dense,

    /// <summary>One presence bit per weight, then the non-zero values.</summary>
    Bitmap,

    /// <summary>Compressed sparse rows: per filter its non-zero values with their K index, plus one offset per filter.</summary>
    Csr,
}

/// <summary>The PE array: <see cref="Rows"/> × <see cref="Cols"/> multiply-accumulate units.</summary>
public sealed record PeArrayConfig(int Rows, int Cols, Dataflow Dataflow)
{
    public int PeCount => Rows * Cols;

    public Arithmetic Arithmetic { get; init; } = Arithmetic.Bfp;

    public ZeroOperandPolicy ZeroOperands { get; init; } = ZeroOperandPolicy.None;
}

/// <summary>An on-chip SRAM buffer, split into two halves for double buffering.</summary>
/// <param name="Name">Component name (<c>ifmap</c>, <c>weights</c>, <c>ofmap</c>, or <c>unified</c>).</param>
/// <param name="CapacityBytes">Total capacity of both halves.</param>
/// <param name="WordBits">Width of one access.</param>
/// <param name="ReadPorts">Words that each bank can read per cycle.</param>
/// <param name="WritePorts">Words that each bank can write per cycle.</param>
/// <remarks>Words interleave across <see cref="Banks"/> (word address mod banks); each bank has the ports, so accesses
/// spread over all banks move <c>Banks × ports</c> words per cycle.</remarks>
public sealed record SramConfig(string Name, long CapacityBytes, int WordBits, int ReadPorts, int WritePorts)
{
    /// <summary>Independent banks the words interleave across; 1 for a monolithic buffer.</summary>
    public int Banks { get; init; } = 1;

    /// <summary>Capacity of one half: what one tile may occupy while the other half is being filled.</summary>
    public long HalfCapacityBytes => CapacityBytes / 2;

    /// <summary>Capacity of one bank: what one access activates (and what its energy is priced by).</summary>
    public long BankCapacityBytes => CapacityBytes / Banks;

    public long CapacityWords => CapacityBytes * 8 / WordBits;

    public double ReadBytesPerCycle => (long)ReadPorts * Banks * WordBits / 8.0;

    public double WriteBytesPerCycle => (long)WritePorts * Banks * WordBits / 8.0;

    /// <summary>Words of <paramref name="bytes"/> bytes, the last one partly filled.</summary>
    public long Words(long bytes) => ((bytes * 8) + WordBits - 1) / WordBits;
}

/// <summary>The buffers: three per-tensor SRAMs, or three parts of one unified SRAM.</summary>
/// <remarks>
/// With a unified buffer, <see cref="Ifmap"/>, <see cref="Weights"/> and <see cref="Ofmap"/> are the capacity the layer
/// gives each tensor (chosen per layer, see <c>BufferPartition</c>); they carry the unified buffer's word width, ports
/// and banks, and the ifmap and weight reads of a step share the unified buffer's read ports and banks.
/// </remarks>
public sealed record BufferSetConfig(SramConfig Ifmap, SramConfig Weights, SramConfig Ofmap)
{
    /// <summary>The one SRAM the three parts share; null for separate per-tensor buffers.</summary>
    public SramConfig? Unified { get; init; }

    /// <summary>For a unified buffer: true when the three parts are a layer's chosen split (false: the nominal split
    /// the reader gives, which the run replaces per layer).</summary>
    public bool Partitioned { get; init; }

    /// <summary>How the capacity is split, for mapping descriptions: "unified 1310720 B: ifmap 524288 / weights 524288 / ofmap 262144".</summary>
    public string? SplitDescription => Unified is { } u
        ? FormattableString.Invariant($"unified {u.CapacityBytes} B split ifmap {Ifmap.CapacityBytes} / weights {Weights.CapacityBytes} / ofmap {Ofmap.CapacityBytes}")
        : null;

    /// <summary>Separate buffers, or the unified one once.</summary>
    public IEnumerable<SramConfig> Physical => Unified is { } u ? [u] : [Ifmap, Weights, Ofmap];

    /// <summary>A unified buffer split into parts of the given bytes (their sum is at most its capacity).</summary>
    public static BufferSetConfig Split(SramConfig unified, long ifmapBytes, long weightBytes, long ofmapBytes, bool partitioned)
    {
        return new(Part("ifmap", ifmapBytes), Part("weights", weightBytes), Part("ofmap", ofmapBytes)) { Unified = unified, Partitioned = partitioned };

        SramConfig Part(string name, long bytes) => unified with { Name = name, CapacityBytes = bytes };
    }
}

/// <summary>Off-chip memory: one channel shared by all transfers, served in request order.</summary>
/// <param name="BandwidthBytesPerCycle">Sustained bytes per core clock cycle (converted from GB/s with the clock).</param>
/// <param name="LatencyCycles">Cycles from the end of a transfer's data beats to its completion.</param>
public sealed record DramConfig(double BandwidthBytesPerCycle, long LatencyCycles)
{
    /// <summary>The channel moves whole bursts: a transfer occupies every burst its bytes touch (1: byte-granular).</summary>
    public long BurstBytes { get; init; } = 1;

    /// <summary>Banks and row buffers; null for the bandwidth-and-latency model alone.</summary>
    public DramBankConfig? Banks { get; init; }
}

/// <summary>DRAM banks with row buffers (timings in core clock cycles).</summary>
/// <param name="Banks">Banks that hold a row open each.</param>
/// <param name="RowBytes">Bytes of one row (page).</param>
/// <param name="BurstBytes">Bytes of one burst (the channel's <see cref="DramConfig.BurstBytes"/>): the unit in which hits
/// and misses are counted.</param>
/// <param name="ActivateCycles">tRCD: opening a row.</param>
/// <param name="PrechargeCycles">tRP: closing the open row first.</param>
public sealed record DramBankConfig(int Banks, long RowBytes, long BurstBytes, long ActivateCycles, long PrechargeCycles)
{
    /// <summary>tCL: from the column command to the first data, added to every transfer's latency (pipelined like it).</summary>
    public long CasCycles { get; init; }
}

/// <summary>The conversion units between the buffers and the array: float32 → BFP (or float16) on the way in, BFP
/// accumulator → float32 on the way out.</summary>
/// <param name="InputLanes">Elements the input converter turns out per cycle.</param>
/// <param name="OutputLanes">Accumulator values the output converter normalises per cycle.</param>
/// <param name="LatencyCycles">Pipeline depth: the exponent comparator tree, then the shift; paid once per step.</param>
public sealed record ConverterConfig(int InputLanes, int OutputLanes, int LatencyCycles);

/// <summary>The vector unit running pooling, ReLU and residual additions in float32.</summary>
/// <param name="Lanes">float32 operations per cycle.</param>
public sealed record VectorUnitConfig(int Lanes)
{
    /// <summary>The layer kinds the vector unit runs on the producing layer's output path (<c>vector_unit.fuse</c>)
    /// when the rules of fusion allow it, instead of as layers of their own.</summary>
    public FusedKinds Fuse { get; init; } = FusedKinds.None;
}

/// <summary>Layer kinds the vector unit may fuse into the output path of the layer that produces their input.</summary>
[Flags]
public enum FusedKinds
{
    None = 0,
    Relu = 1,
    MaxPool = 2,
    AveragePool = 4,
    Add = 8,
    All = Relu | MaxPool | AveragePool | Add,
}

/// <summary>How the mapping of a conv or FC layer is chosen from its dataflow's mapping space.</summary>
public enum MapperSearch
{
    /// <summary>The dataflow's own choice (each tile as large as fits): one mapping, no search.</summary>
    Heuristic,

    /// <summary>Every point of the space is simulated; the best under the objective wins.</summary>
    Exhaustive,

    /// <summary>Branch and bound: points in the order of a lower bound of the objective computed from their schedules
    /// alone, simulated until the next bound cannot beat the best found; the same optimum as exhaustive, fewer simulations.</summary>
    Pruned,
}

/// <summary>What the mapping search minimises.</summary>
public enum MapperObjective
{
    /// <summary>The layer's cycles.</summary>
    Cycles,

    /// <summary>The layer's energy under the config's energy table.</summary>
    Energy,

    /// <summary>Energy × cycles.</summary>
    Edp,

    /// <summary>Bytes read from and written to DRAM.</summary>
    DramBytes,
}

/// <summary>The <c>mapper</c> section: how each conv and FC layer's mapping is chosen.</summary>
/// <param name="Search">Heuristic, exhaustive or pruned.</param>
/// <param name="Objective">What the search minimises; ties go to fewer cycles, then fewer DRAM bytes, then less energy,
/// then the point enumerated first (the heuristic is first).</param>
/// <param name="Budget">Most points simulated per layer (the heuristic always counts as the first); null: no limit.</param>
public sealed record MapperConfig(MapperSearch Search, MapperObjective Objective, int? Budget)
{
    /// <summary>No search: every layer takes its dataflow's heuristic mapping.</summary>
    public static MapperConfig Heuristic { get; } = new(MapperSearch.Heuristic, MapperObjective.Cycles, null);

    /// <summary>What a config without a <c>mapper</c> section runs: the pruned search under the cycles objective. It finds
    /// the space's optimum, and the heuristic is a point of every space that it simulates first and keeps in the ranking,
    /// so no layer takes more cycles than with the heuristic (ties: fewer DRAM bytes, less energy, then the heuristic).</summary>
    public static MapperConfig Default { get; } = new(MapperSearch.Pruned, MapperObjective.Cycles, null);
}

/// <summary>A validated accelerator description, as its file gives it. Every quantity is in canonical units (cycles,
/// bytes). What a run decides (per layer or for the whole run) is a <see cref="LayerContext"/> beside it; the energy table
/// that prices it is kept beside it too.</summary>
public sealed record AcceleratorConfig
{
    public required string Name { get; init; }

    public required double ClockMegahertz { get; init; }

    public required PeArrayConfig PeArray { get; init; }

    public required BufferSetConfig Buffers { get; init; }

    public required DramConfig Dram { get; init; }

    public required VectorUnitConfig VectorUnit { get; init; }

    public required BfpSettings Bfp { get; init; }

    /// <summary>Keep a layer's output on chip for the next layer when it fits (the ofmap buffer becomes that layer's
    /// input buffer): no DRAM write, no DRAM read.</summary>
    public bool OnChipActivations { get; init; }

    /// <summary>Converter throughput and latency; null for converters that never hold the array back.</summary>
    public ConverterConfig? Converters { get; init; }

    /// <summary>How weights are stored (DRAM and weight buffer); sparse formats need the weights' values to size tiles.</summary>
    public WeightStorage WeightStorage { get; init; } = WeightStorage.Dense;

    /// <summary>How feature maps are stored in SRAM and DRAM (<c>activation_storage</c>; a layer may give its own).
    /// A config file without the key gets <see cref="DefaultActivationStorage"/> of its arithmetic.</summary>
    public ActivationStorage ActivationStorage { get; init; } = ActivationStorage.Float32;

    /// <summary>How feature maps are compressed on their way to and from DRAM (<c>activation_compression</c>; a layer may
    /// give its own). The buffers hold them decompressed.</summary>
    public ActivationCompression ActivationCompression { get; init; } = ActivationCompression.None;

    /// <summary>The storage an arithmetic implies: a BFP array converts its outputs back to half precision, as the seed's
    /// accelerator does (its 5-bit exponent matches float16's); a float16 array stores what it computes on; a float32
    /// array keeps float32.</summary>
    public static ActivationStorage DefaultActivationStorage(Arithmetic arithmetic) =>
        arithmetic == Arithmetic.Float32 ? ActivationStorage.Float32 : ActivationStorage.Float16;

    /// <summary>A run still going after this many cycles in one layer stops with an error (runaway guard).</summary>
    public required long MaxCycles { get; init; }

    /// <summary>How each conv and FC layer's mapping is chosen (the <c>mapper</c> section; default
    /// <see cref="MapperConfig.Default"/>, the pruned search under the cycles objective).</summary>
    public MapperConfig Mapper { get; init; } = MapperConfig.Default;
}
