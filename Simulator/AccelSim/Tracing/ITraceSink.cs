namespace AccelSim.Tracing;

/// <summary>Receives what the hardware did, as it happens, for a trace. Tracing is an observer: a component holds a
/// nullable sink and emits only when it is set, so a run without tracing pays one branch per emission point.</summary>
/// <remarks>
/// Contract: cycles are those of the emitting simulation (a layer starts at cycle 0); records may arrive out of cycle
/// order (a stall slice is emitted when it ends, a compute slice when it starts). Track names are component paths
/// (<c>pe_array</c>, <c>dram</c>, <c>ifmap.occupancy_bytes</c>); the part before the first '.' names the component.
/// </remarks>
public interface ITraceSink
{
    /// <summary>A complete slice: something occupied a track for a number of cycles.</summary>
    void Slice(in TraceSlice slice);

    /// <summary>A counter track changed value.</summary>
    void Counter(in TraceCounter counter);

    /// <summary>A port read or wrote a run of addresses.</summary>
    void Access(in TraceAccess access);
}

/// <summary>What a slice shows: the categories the writers and the inspection tools know.</summary>
public static class TraceCategory
{
    /// <summary>The PE array or the vector unit computing one step (a fold chunk or a vector batch).</summary>
    public const string Compute = "compute";

    /// <summary>An engine not computing; the slice's name is the cause (<c>ifmap</c>, <c>weights</c>, …).</summary>
    public const string Stall = "stall";

    public const string DramRead = "dram_read";

    public const string DramWrite = "dram_write";

    /// <summary>A batch of float-to-BFP conversions (inputs entering the array) and BFP-to-float ones (results leaving it).</summary>
    public const string Conversion = "conversion";

    /// <summary>A whole layer: the enclosing slice on the <c>layers</c> track.</summary>
    public const string Layer = "layer";

    /// <summary>Whether a slice of this category keeps its component busy (as against stalled or enclosing).</summary>
    public static bool IsBusy(string category) => category is Compute or DramRead or DramWrite or Conversion;
}

/// <summary>A complete slice.</summary>
/// <param name="Track">The component (track) it belongs to.</param>
/// <param name="Name">What happened (a stall slice's name is its cause).</param>
/// <param name="Category">One of <see cref="TraceCategory"/>.</param>
/// <param name="StartCycle">First cycle.</param>
/// <param name="DurationCycles">Length; ≥ 1 (empty intervals are not emitted).</param>
/// <param name="Amount">An optional quantity shown with the slice (MACs, bytes, elements); 0 when none.</param>
/// <param name="AmountUnit">The unit of <paramref name="Amount"/> (<c>macs</c>, <c>bytes</c>, <c>elements</c>), or null.</param>
/// <param name="Loop">A PE-array step's coordinates in its mapping's loop nest (<c>group=0 strip=1 …</c>), or null.</param>
/// <param name="MappingPoint">The mapping point the step's layer runs (<c>heuristic</c>, or its limits), or null.</param>
public readonly record struct TraceSlice(
    string Track, string Name, string Category, long StartCycle, long DurationCycles, long Amount = 0, string? AmountUnit = null,
    string? Loop = null, string? MappingPoint = null)
{
    public long EndCycle => StartCycle + DurationCycles;

    /// <summary>The component: the track name up to its first '.'.</summary>
    public string Component => TraceNames.ComponentOf(Track);
}

/// <summary>A counter track takes <paramref name="Value"/> from <paramref name="Cycle"/> on.</summary>
/// <param name="Track">The counter's name, with its unit (<c>ifmap.occupancy_bytes</c>).</param>
public readonly record struct TraceCounter(string Track, long Cycle, double Value)
{
    public string Component => TraceNames.ComponentOf(Track);
}

/// <summary>A port accessed <see cref="Count"/> addresses, <see cref="PerCycle"/> of them per cycle from <see cref="StartCycle"/> on.</summary>
/// <remarks>
/// The i-th access (0 ≤ i &lt; Count) happens in cycle <c>StartCycle + i / PerCycle</c> at address
/// <c>BaseAddress + ((FirstOffset + i) mod WrapCount) · StrideNumerator / StrideDenominator</c> (integer division).
/// SRAM ports use word addresses with a stride of 1 (the wrap keeps them inside the tile or the circular buffer); the
/// DRAM channel uses byte addresses with a stride of bytes/beats, one address per cycle (the first byte it moves then).
/// </remarks>
public readonly record struct TraceAccess(
    string Port, long StartCycle, long Count, int PerCycle, long BaseAddress, long FirstOffset, long WrapCount,
    long StrideNumerator = 1, long StrideDenominator = 1)
{
    /// <summary>Cycles the run of accesses spans.</summary>
    public long Cycles => (Count + PerCycle - 1) / PerCycle;

    public long EndCycle => StartCycle + Cycles;

    public string Component => TraceNames.ComponentOf(Port);

    public long AddressAt(long i) => BaseAddress + ((((FirstOffset + i) % WrapCount) * StrideNumerator) / StrideDenominator);
}

/// <summary>Track-name conventions shared by the hardware and the writers.</summary>
public static class TraceNames
{
    /// <summary>The track of the enclosing per-layer slices.</summary>
    public const string Layers = "layers";

    /// <summary>The DRAM channel's bandwidth in use, bytes per cycle.</summary>
    public const string DramBandwidth = "dram.bandwidth_bytes_per_cycle";

    /// <summary>The counter suffix of a buffer's occupancy.</summary>
    public const string OccupancySuffix = ".occupancy_bytes";

    /// <summary>The components a trace can show, for the component filter.</summary>
    public static System.Collections.Immutable.ImmutableArray<string> Components { get; } =
        ["bfp_converter", "dram", "ifmap", "layers", "ofmap", "pe_array", "vector_unit", "weights"];

    public static string ComponentOf(string track)
    {
        int dot = track.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? track : track[..dot];
    }
}
