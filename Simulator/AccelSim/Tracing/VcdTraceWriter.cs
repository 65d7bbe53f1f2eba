using System.Globalization;
using System.Text;
using AccelSim.Files;

namespace AccelSim.Tracing;

/// <summary>Writes a Value Change Dump (IEEE 1364 §18) that GTKWave opens: per component a <c>busy</c> wire, a
/// <c>stall_&lt;cause&gt;</c> wire per stall cause it suffers, and its counters (occupancy, bandwidth) as reals.</summary>
/// <remarks>
/// One time unit is one clock cycle (<c>$timescale 1 ns</c>, with a comment giving the clock). Value changes stream
/// to a body file as each layer ends; the header, which must declare every signal first, is written when the trace
/// completes and the body is appended to it. A change at the same cycle as another of the same signal is folded:
/// a transfer ending where the next begins keeps <c>busy</c> at 1.
/// </remarks>
public sealed class VcdTraceWriter : TraceFileWriter
{
    private const string Busy = "busy";
    private readonly TraceMetadata _metadata;
    private readonly string _bodyPath;
    private readonly StreamWriter _body;
    private readonly SortedDictionary<(string Scope, string Name), Signal> _signals = new();
    private readonly Dictionary<Signal, string> _pending = [];
    private long _bodyBytes;
    private long _pendingTime;
    private long _writtenTime;

    public VcdTraceWriter(string path, long maxBytes, TraceMetadata metadata)
        : base(path, maxBytes)
    {
        _metadata = metadata;
        _body = new StreamWriter(AtomicFile.CreateScratch(Path, out _bodyPath), new UTF8Encoding(false), bufferSize: 1 << 16) { NewLine = "\n" };
    }

    protected override long BytesWritten => _bodyBytes;

    protected override void Write(LayerTrace layer)
    {
        var changes = new List<Change>(2 + (layer.Slices.Length * 2) + layer.Counters.Length);
        AddSlice(changes, layer.LayerSlice);
        foreach (TraceSlice slice in layer.Slices)
        {
            AddSlice(changes, slice);
        }

        foreach (TraceCounter counter in layer.Counters)
        {
            (string scope, string name) = Split(counter.Track);
            changes.Add(new Change(counter.Cycle, 1, SignalOf(scope, name, isReal: true), Real(counter.Value)));
        }

        // Within a cycle, ends (order 0) come before starts (order 1); OrderBy is stable for the rest.
        foreach (Change change in changes.OrderBy(c => c.Time).ThenBy(c => c.Order))
        {
            if (change.Time != _pendingTime)
            {
                if (!Room(change.Time))
                {
                    return;
                }

                FlushPending();
                _pendingTime = change.Time;
            }

            _pending[change.Signal] = change.Value;
        }
    }

    protected override void WriteTruncationNotice(long cycle)
    {
        // The changes collected for the last cycle before the cap are complete: write them, then the notice.
        FlushPending();
        WriteBody($"$comment {TruncationNotice(cycle)} $end");
    }

    protected override void Finish()
    {
        FlushPending();
        _body.Dispose();
        using (var header = new StreamWriter(Output, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" })
        {
            header.WriteLine("$version accelsim $end");
            header.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"$comment {_metadata.WorkloadName} on {_metadata.ConfigName}; one time unit is one clock cycle ({_metadata.ClockMegahertz} MHz) $end"));
            header.WriteLine("$timescale 1 ns $end");
            header.WriteLine("$scope module accelsim $end");
            foreach (IGrouping<string, KeyValuePair<(string Scope, string Name), Signal>> scope in _signals.GroupBy(s => s.Key.Scope))
            {
                header.WriteLine($"$scope module {scope.Key} $end");
                foreach (var (key, signal) in scope)
                {
                    header.WriteLine(signal.IsReal ? $"$var real 64 {signal.Code} {key.Name} $end" : $"$var wire 1 {signal.Code} {key.Name} $end");
                }

                header.WriteLine("$upscope $end");
            }

            header.WriteLine("$upscope $end");
            header.WriteLine("$enddefinitions $end");
            header.WriteLine("#0");
            header.WriteLine("$dumpvars");
            foreach (Signal signal in _signals.Values)
            {
                header.WriteLine(signal.IsReal ? $"r0 {signal.Code}" : $"0{signal.Code}");
            }

            header.WriteLine("$end");
        }

        using (var body = File.OpenRead(_bodyPath))
        {
            body.CopyTo(Output);
        }

        File.Delete(_bodyPath);
    }

    protected override void DisposeWriters()
    {
        _body.Dispose();
        if (File.Exists(_bodyPath))
        {
            File.Delete(_bodyPath);
        }
    }

    private static string Real(double value) => "r" + value.ToString("R", CultureInfo.InvariantCulture);

    private static (string Scope, string Name) Split(string track)
    {
        int dot = track.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (track, "value") : (track[..dot], track[(dot + 1)..].Replace('.', '_'));
    }

    private void AddSlice(List<Change> changes, in TraceSlice slice)
    {
        string name = slice.Category switch
        {
            TraceCategory.Stall => "stall_" + slice.Name,
            TraceCategory.Layer => "active",
            _ => Busy,
        };
        Signal signal = SignalOf(slice.Track, name, isReal: false);
        changes.Add(new Change(slice.StartCycle, 1, signal, "1"));
        changes.Add(new Change(slice.EndCycle, 0, signal, "0"));
    }

    private Signal SignalOf(string scope, string name, bool isReal)
    {
        if (!_signals.TryGetValue((scope, name), out Signal? signal))
        {
            signal = new Signal(Code(_signals.Count), isReal);
            _signals.Add((scope, name), signal);
        }

        return signal;
    }

    /// <summary>The time group collected so far, written with only the signals whose value changed.</summary>
    private void FlushPending()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        bool timeWritten = false;
        foreach (var (signal, value) in _pending.OrderBy(p => p.Key.Code, StringComparer.Ordinal))
        {
            if (signal.Value == value)
            {
                continue;
            }

            if (!timeWritten && _pendingTime != _writtenTime)
            {
                WriteBody(string.Create(CultureInfo.InvariantCulture, $"#{_pendingTime}"));
                _writtenTime = _pendingTime;
            }

            timeWritten = true;
            signal.Value = value;
            WriteBody(signal.IsReal ? $"{value} {signal.Code}" : value + signal.Code);
        }

        _pending.Clear();
    }

    private void WriteBody(string line)
    {
        _body.WriteLine(line);
        _bodyBytes += line.Length + 1;
    }

    /// <summary>Identifier codes from the printable ASCII characters '!' to '~', shortest first.</summary>
    private static string Code(int index)
    {
        var code = new StringBuilder();
        do
        {
            code.Append((char)('!' + (index % 94)));
            index /= 94;
        }
        while (index > 0);
        return code.ToString();
    }

    private sealed class Signal(string code, bool isReal)
    {
        public string Code { get; } = code;

        public bool IsReal { get; } = isReal;

        /// <summary>The value last written (the dump starts every signal at 0).</summary>
        public string Value { get; set; } = isReal ? "r0" : "0";
    }

    private readonly record struct Change(long Time, int Order, Signal Signal, string Value);
}
