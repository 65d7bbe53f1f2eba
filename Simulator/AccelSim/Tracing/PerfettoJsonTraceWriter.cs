using System.Text.Json;

namespace AccelSim.Tracing;

/// <summary>Writes the Chrome trace-event JSON format, which ui.perfetto.dev and chrome://tracing open: a track
/// (thread) per component, counter tracks, stall slices named by cause, and layers as enclosing slices on their own track.</summary>
/// <remarks>
/// Timestamps are cycles: the viewers read <c>ts</c> and <c>dur</c> as microseconds, so "1 µs" on screen is one cycle
/// (<c>otherData.time_unit</c> says so, and <c>otherData.clock_mhz</c> converts). Events stream to disk through
/// <see cref="Utf8JsonWriter"/> as each layer ends. Slices are complete events (<c>"ph":"X"</c>), counters
/// <c>"ph":"C"</c> with one <c>value</c> argument; a PE-array step's arguments add the layer's
/// <c>mapping_point</c> and the step's <c>loop</c> coordinates; track names come as <c>thread_name</c> metadata the first time a
/// track is used. A size-cap notice is a global instant event, also recorded in <c>otherData.truncated</c>.
/// </remarks>
public sealed class PerfettoJsonTraceWriter : TraceFileWriter
{
    /// <summary>The format's identifier in <c>otherData.format</c>.</summary>
    public const string FormatName = "accelsim-trace-events";

    private const int ProcessId = 1;
    private const int FlushBytes = 1 << 16;
    private readonly Utf8JsonWriter _json;
    private readonly TraceMetadata _metadata;
    private readonly Dictionary<string, int> _threadIds = new(StringComparer.Ordinal);
    private string? _notice;

    public PerfettoJsonTraceWriter(string path, long maxBytes, TraceMetadata metadata)
        : base(path, maxBytes)
    {
        _metadata = metadata;
        _json = new Utf8JsonWriter(Output);
        _json.WriteStartObject();
        _json.WriteStartArray("traceEvents");
        _json.WriteStartObject();
        _json.WriteString("ph", "M");
        _json.WriteNumber("pid", ProcessId);
        _json.WriteString("name", "process_name");
        _json.WriteStartObject("args");
        _json.WriteString("name", $"accelsim: {metadata.WorkloadName} on {metadata.ConfigName}");
        _json.WriteEndObject();
        _json.WriteEndObject();
        ThreadId(TraceNames.Layers);
    }

    protected override long BytesWritten => _json.BytesCommitted + _json.BytesPending;

    protected override void Write(LayerTrace layer)
    {
        if (!Room(layer.StartCycle))
        {
            return;
        }

        WriteSlice(layer.LayerSlice);

        // Slices and counters merged in cycle order, so the file reads forward in time.
        int c = 0;
        foreach (TraceSlice slice in layer.Slices)
        {
            for (; c < layer.Counters.Length && layer.Counters[c].Cycle <= slice.StartCycle; c++)
            {
                if (!Room(layer.Counters[c].Cycle))
                {
                    return;
                }

                WriteCounter(layer.Counters[c]);
            }

            if (!Room(slice.StartCycle))
            {
                return;
            }

            WriteSlice(slice);
        }

        for (; c < layer.Counters.Length; c++)
        {
            if (!Room(layer.Counters[c].Cycle))
            {
                return;
            }

            WriteCounter(layer.Counters[c]);
        }
    }

    protected override void WriteTruncationNotice(long cycle)
    {
        _notice = TruncationNotice(cycle);
        _json.WriteStartObject();
        _json.WriteString("name", _notice);
        _json.WriteString("ph", "i");
        _json.WriteString("s", "g");
        _json.WriteNumber("ts", cycle);
        _json.WriteNumber("pid", ProcessId);
        _json.WriteNumber("tid", ThreadId(TraceNames.Layers));
        _json.WriteEndObject();
    }

    protected override void Finish()
    {
        _json.WriteEndArray();
        _json.WriteStartObject("otherData");
        _json.WriteString("format", FormatName);
        _json.WriteNumber("format_version", 1);
        _json.WriteString("time_unit", "cycle (1 us in the viewer is one clock cycle)");
        _json.WriteString("config", _metadata.ConfigName);
        _json.WriteString("workload", _metadata.WorkloadName);
        _json.WriteNumber("clock_mhz", _metadata.ClockMegahertz);
        _json.WriteNumber("dram_bandwidth_bytes_per_cycle", _metadata.DramBandwidthBytesPerCycle);
        _json.WriteBoolean("truncated", Truncated);
        if (_notice is not null)
        {
            _json.WriteString("truncation_notice", _notice);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
    }

    protected override void DisposeWriters() => _json.Dispose();

    private void WriteSlice(in TraceSlice slice)
    {
        int tid = ThreadId(slice.Track);
        _json.WriteStartObject();
        _json.WriteString("name", slice.Name);
        _json.WriteString("cat", slice.Category);
        _json.WriteString("ph", "X");
        _json.WriteNumber("ts", slice.StartCycle);
        _json.WriteNumber("dur", slice.DurationCycles);
        _json.WriteNumber("pid", ProcessId);
        _json.WriteNumber("tid", tid);
        if (slice.AmountUnit is not null || slice.Loop is not null || slice.MappingPoint is not null)
        {
            // The amount stays the first argument: readers take the first number as the slice's amount.
            _json.WriteStartObject("args");
            if (slice.AmountUnit is { } unit)
            {
                _json.WriteNumber(unit, slice.Amount);
            }

            if (slice.MappingPoint is { } point)
            {
                _json.WriteString("mapping_point", point);
            }

            if (slice.Loop is { } loop)
            {
                _json.WriteString("loop", loop);
            }

            _json.WriteEndObject();
        }

        _json.WriteEndObject();
        FlushIfFull();
    }

    private void WriteCounter(in TraceCounter counter)
    {
        _json.WriteStartObject();
        _json.WriteString("name", counter.Track);
        _json.WriteString("ph", "C");
        _json.WriteNumber("ts", counter.Cycle);
        _json.WriteNumber("pid", ProcessId);
        _json.WriteStartObject("args");
        _json.WriteNumber("value", counter.Value);
        _json.WriteEndObject();
        _json.WriteEndObject();
        FlushIfFull();
    }

    /// <summary>The thread id of a track, announcing the track (name and sort position) the first time.</summary>
    private int ThreadId(string track)
    {
        if (_threadIds.TryGetValue(track, out int tid))
        {
            return tid;
        }

        tid = _threadIds.Count + 1;
        _threadIds.Add(track, tid);
        _json.WriteStartObject();
        _json.WriteString("ph", "M");
        _json.WriteNumber("pid", ProcessId);
        _json.WriteNumber("tid", tid);
        _json.WriteString("name", "thread_name");
        _json.WriteStartObject("args");
        _json.WriteString("name", track);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteStartObject();
        _json.WriteString("ph", "M");
        _json.WriteNumber("pid", ProcessId);
        _json.WriteNumber("tid", tid);
        _json.WriteString("name", "thread_sort_index");
        _json.WriteStartObject("args");
        _json.WriteNumber("sort_index", tid);
        _json.WriteEndObject();
        _json.WriteEndObject();
        return tid;
    }

    private void FlushIfFull()
    {
        if (_json.BytesPending > FlushBytes)
        {
            _json.Flush();
        }
    }
}
