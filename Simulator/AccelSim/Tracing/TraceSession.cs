using System.Collections.Immutable;

namespace AccelSim.Tracing;

/// <summary>One layer's records, in network time, in cycle order, filtered: what a writer writes for the layer.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="StartCycle">Network cycle at which the layer starts: the sum of the earlier layers' cycles.</param>
/// <param name="TotalCycles">The layer's length.</param>
/// <param name="Slices">Sorted by start cycle (emission order among equal starts); the layer's own slice is not among them.</param>
/// <param name="Counters">Sorted by cycle (emission order among equal cycles).</param>
/// <param name="Accesses">Sorted by start cycle.</param>
/// <param name="Filter">The filter applied, whose window address rows are clipped to.</param>
public sealed record LayerTrace(
    string Name, long StartCycle, long TotalCycles, ImmutableArray<TraceSlice> Slices, ImmutableArray<TraceCounter> Counters,
    ImmutableArray<TraceAccess> Accesses, TraceFilter Filter)
{
    /// <summary>The enclosing slice of the layer on the <see cref="TraceNames.Layers"/> track.</summary>
    public TraceSlice LayerSlice => new(TraceNames.Layers, Name, TraceCategory.Layer, StartCycle, TotalCycles);
}

/// <summary>Writes one trace file; the trace streams to it layer by layer.</summary>
public interface ITraceWriter : IDisposable
{
    /// <summary>The file the trace ends up in.</summary>
    string Path { get; }

    /// <summary>True once the size cap stopped the writing (the file ends with a notice saying so).</summary>
    bool Truncated { get; }

    void WriteLayer(LayerTrace layer);

    /// <summary>Ends the file and moves it into place; until then it is a temporary file beside it.</summary>
    void Complete();
}

/// <summary>Collects one layer's records (in layer cycles, as the hardware emits them) until the layer ends.</summary>
/// <remarks>Memory holds one layer's records, a few per engine step and DRAM transfer, never the whole trace.</remarks>
public sealed class LayerRecorder : ITraceSink
{
    private readonly List<TraceSlice> _slices = [];
    private readonly List<TraceCounter> _counters = [];
    private readonly List<TraceAccess> _accesses = [];
    private readonly bool _recordAccesses;
    private readonly bool _keep;

    internal LayerRecorder(string name, bool keep, bool recordAccesses)
    {
        Name = name;
        _keep = keep;
        _recordAccesses = recordAccesses;
    }

    public string Name { get; }

    /// <summary>Whether the filter keeps this layer; when not, the simulation need not trace it at all.</summary>
    public bool IsKept => _keep;

    public void Slice(in TraceSlice slice)
    {
        if (_keep && slice.DurationCycles > 0)
        {
            _slices.Add(slice);
        }
    }

    public void Counter(in TraceCounter counter)
    {
        if (_keep)
        {
            _counters.Add(counter);
        }
    }

    public void Access(in TraceAccess access)
    {
        if (_keep && _recordAccesses && access.Count > 0)
        {
            _accesses.Add(access);
        }
    }

    internal LayerTrace ToLayerTrace(long offset, long totalCycles, TraceFilter filter)
    {
        // OrderBy is a stable sort: records with equal cycles keep the order the simulation emitted them in.
        var slices = _slices
            .Select(s => s with { StartCycle = s.StartCycle + offset })
            .Where(s => filter.KeepsComponent(s.Component) && filter.Overlaps(s.StartCycle, s.EndCycle))
            .OrderBy(s => s.StartCycle)
            .ToImmutableArray();
        var shifted = _counters
            .Select(c => c with { Cycle = c.Cycle + offset })
            .Where(c => filter.KeepsComponent(c.Component))
            .OrderBy(c => c.Cycle)
            .ToList();

        // A window that opens inside the layer starts each counter at the value it had then, not at nothing.
        var carriedIn = shifted.Where(c => c.Cycle < filter.FromCycle)
            .GroupBy(c => c.Track, StringComparer.Ordinal)
            .Select(g => g.Last() with { Cycle = filter.FromCycle })
            .Where(_ => filter.FromCycle < offset + totalCycles)
            .OrderBy(c => c.Track, StringComparer.Ordinal);
        var counters = carriedIn.Concat(shifted.Where(c => filter.Contains(c.Cycle))).ToImmutableArray();
        var accesses = _accesses
            .Select(a => a with { StartCycle = a.StartCycle + offset })
            .Where(a => filter.KeepsComponent(a.Component) && filter.Overlaps(a.StartCycle, a.EndCycle))
            .OrderBy(a => a.StartCycle)
            .ToImmutableArray();
        return new LayerTrace(Name, offset, totalCycles, slices, counters, accesses, filter);
    }
}

/// <summary>A network's trace: layers are simulated one after another, each from its own cycle 0, and placed end to end
/// in network time (layer i starts where layer i−1 ended); each layer is handed to every writer when it ends.</summary>
/// <remarks>Layers must be begun and ended in network order, one at a time. Not thread-safe.</remarks>
public sealed class TraceSession : IDisposable
{
    private readonly ImmutableArray<ITraceWriter> _writers;
    private readonly bool _recordAccesses;
    private LayerRecorder? _open;

    /// <param name="writers">The files to write; the session disposes them.</param>
    /// <param name="filter">What to keep.</param>
    /// <param name="recordAccesses">Whether to keep address accesses (only address traces use them).</param>
    public TraceSession(IEnumerable<ITraceWriter> writers, TraceFilter filter, bool recordAccesses)
    {
        _writers = [.. writers];
        Filter = filter;
        _recordAccesses = recordAccesses;
    }

    public TraceFilter Filter { get; }

    public ImmutableArray<ITraceWriter> Writers => _writers;

    /// <summary>Network cycle at which the next layer starts.</summary>
    public long NextLayerStartCycle { get; private set; }

    /// <summary>A sink for the next layer's simulation.</summary>
    public LayerRecorder BeginLayer(string name)
    {
        if (_open is not null)
        {
            throw new InvalidOperationException($"layer '{_open.Name}' is still open");
        }

        _open = new LayerRecorder(name, Filter.KeepsLayer(name), _recordAccesses);
        return _open;
    }

    /// <summary>Ends the open layer, which took <paramref name="totalCycles"/>, and writes it.</summary>
    public void EndLayer(LayerRecorder layer, long totalCycles)
    {
        if (!ReferenceEquals(layer, _open))
        {
            throw new InvalidOperationException($"layer '{layer.Name}' is not the open layer");
        }

        long start = NextLayerStartCycle;
        NextLayerStartCycle += totalCycles;
        _open = null;
        if (!Filter.KeepsLayer(layer.Name) || !Filter.Overlaps(start, start + totalCycles))
        {
            return;
        }

        LayerTrace trace = layer.ToLayerTrace(start, totalCycles, Filter);
        foreach (ITraceWriter writer in _writers)
        {
            writer.WriteLayer(trace);
        }
    }

    /// <summary>Finishes every file and moves it into place.</summary>
    public void Complete()
    {
        foreach (ITraceWriter writer in _writers)
        {
            writer.Complete();
        }
    }

    /// <summary>Closes the files; those not completed are deleted.</summary>
    public void Dispose()
    {
        foreach (ITraceWriter writer in _writers)
        {
            writer.Dispose();
        }
    }
}
