using AccelSim.Kernel;
using AccelSim.Statistics;
using AccelSim.Tracing;

namespace AccelSim.Hardware;

/// <summary>Off-chip memory: one channel, requests served in arrival order at the configured bandwidth.</summary>
/// <remarks>
/// A transfer moves every burst its bytes touch (each tensor stream laid out in transfer order, so a transfer that starts
/// inside a burst moves that burst again); its moved bytes occupy the channel for <c>ceil(bytes / bandwidth)</c> cycles; its data is usable
/// <see cref="DramConfig.LatencyCycles"/> later. The latency is pipelined: the next transfer starts as soon as the
/// previous one's data beats are out, so back-to-back transfers reach the full bandwidth.
/// </remarks>
public sealed class DramChannel : Component
{
    /// <summary>Bytes read from DRAM, every burst a transfer touches.</summary>
    public static readonly StatKey ReadBytes = new("read_bytes", StatUnit.Bytes, "Bytes read from DRAM");

    /// <summary>Bytes written to DRAM, every burst a transfer touches.</summary>
    public static readonly StatKey WriteBytes = new("write_bytes", StatUnit.Bytes, "Bytes written to DRAM");

    /// <summary>Cycles the channel moved data.</summary>
    public static readonly StatKey BusyCycles = new("busy_cycles", StatUnit.Cycles, "Cycles the channel was moving data");

    /// <summary>Transfers served.</summary>
    public static readonly StatKey Transfers = new("transfers", StatUnit.Events, "Transfers served");

    /// <summary>Bursts that found their row open; 0 without the banks model.</summary>
    public static readonly StatKey RowHits = new("row_hits", StatUnit.Events, "Bursts that found their row open (banks model only)");

    /// <summary>Bursts that opened a row; 0 without the banks model.</summary>
    public static readonly StatKey RowMisses = new("row_misses", StatUnit.Events, "Bursts that had to precharge and activate a row (banks model only)");

    /// <summary>Cycles opening rows added beyond the data beats; 0 without the banks model.</summary>
    public static readonly StatKey RowCycles = new("row_cycles", StatUnit.Cycles, "Cycles the channel waited for rows to open, beyond the data beats (banks model only)");

    /// <summary>Bytes moved beyond those requested, because transfers move whole bursts.</summary>
    public static readonly StatKey BurstPaddingBytes = new("burst_padding_bytes", StatUnit.Bytes, "Bytes moved beyond those requested because transfers move whole bursts");

    /// <summary>The label of traffic that belongs to no tensor stream, in traces and DRAM regions.</summary>
    private static readonly ComponentId OtherTraffic = new("other");

    private readonly DramConfig _config;
    private readonly Queue<Request> _queue = new();
    private readonly Action _onBeatsDone;
    private readonly Counter _readBytes;
    private readonly Counter _writeBytes;
    private readonly Counter _busyCycles;
    private readonly Counter _transfers;
    private readonly Counter _rowHits;
    private readonly Counter _rowMisses;
    private readonly Counter _rowCycles;
    private readonly Counter _burstPaddingBytes;
    private readonly Dictionary<ComponentId, long> _streamOffsets = [];
    private readonly DramBanks? _banks;
    private bool _busy;
    private int _inFlight;
    private readonly ITraceSink? _trace;

    public DramChannel(Simulation simulation, ComponentId id, DramConfig config)
        : base(simulation, id.Path)
    {
        string path = id.Path;
        _config = config;
        _onBeatsDone = OnBeatsDone;
        var stats = simulation.Stats;
        _readBytes = stats.Register(path, ReadBytes);
        _writeBytes = stats.Register(path, WriteBytes);
        _busyCycles = stats.Register(path, BusyCycles);
        _transfers = stats.Register(path, Transfers);
        _rowHits = stats.Register(path, RowHits);
        _rowMisses = stats.Register(path, RowMisses);
        _rowCycles = stats.Register(path, RowCycles);
        _burstPaddingBytes = stats.Register(path, BurstPaddingBytes);
        _banks = config.Banks is { } banks ? new DramBanks(banks) : null;
        _trace = simulation.Trace;
    }

    /// <inheritdoc/>
    public override string? PendingWork =>
        _queue.Count > 0 || _busy || _inFlight > 0 ? $"{_queue.Count} queued and {_inFlight} in-flight transfer(s)" : null;

    /// <summary>Reads <paramref name="bytes"/>; <paramref name="onComplete"/> runs as an event when the data has arrived.</summary>
    /// <param name="stream">The tensor stream the transfer belongs to (the component that moves it), which places it in
    /// that stream's DRAM region; null for other traffic.</param>
    /// <param name="sinkCycles">Cycles the on-chip side needs to take the data (a buffer's write ports and banks); a
    /// slower sink holds the channel longer (back-pressure).</param>
    /// <param name="onStart">Runs (inside the channel's own call) when the transfer leaves the queue and takes the channel.</param>
    public void Read(long bytes, Action onComplete, ComponentId? stream = null, long sinkCycles = 0, Action? onStart = null) =>
        Enqueue(new Request(bytes, IsWrite: false, onComplete, stream, sinkCycles, onStart));

    /// <summary>Writes <paramref name="bytes"/>; <paramref name="onComplete"/> runs as an event when the write is done.</summary>
    /// <param name="stream">The tensor stream the transfer belongs to; null for other traffic.</param>
    /// <param name="sourceCycles">Cycles the on-chip side needs to hand the data over (a buffer's read ports and banks).</param>
    public void Write(long bytes, Action onComplete, ComponentId? stream = null, long sourceCycles = 0) =>
        Enqueue(new Request(bytes, IsWrite: true, onComplete, stream, sourceCycles));

    /// <summary>Cycles a transfer of <paramref name="bytes"/> occupies the channel.</summary>
    public long BeatCycles(long bytes) => TransferCycles(bytes, _config.BandwidthBytesPerCycle);

    /// <summary>Cycles to move <paramref name="bytes"/> at <paramref name="bytesPerCycle"/>, rounded up, at most
    /// <see cref="MaxTransferCycles"/>.</summary>
    /// <remarks>The tolerance keeps 256 / 25.6 at 10 cycles despite binary rounding of 25.6.</remarks>
    public static long TransferCycles(long bytes, double bytesPerCycle) =>
        bytes <= 0 ? 0 : (long)Math.Min(Math.Ceiling((bytes / bytesPerCycle) * (1 - 1e-12)), MaxTransferCycles);

    /// <summary>2^60: far past any <c>max_cycles</c>, so a transfer this long stops the run at that limit, while the
    /// cycle it ends at (plus the latency and row timings) cannot overflow the simulated clock.</summary>
    public const long MaxTransferCycles = 1L << 60;

    private void Enqueue(Request request)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.Bytes);
        _queue.Enqueue(request);
        StartNext();
    }

    private void StartNext()
    {
        if (_busy || !_queue.TryDequeue(out Request request))
        {
            return;
        }

        // Each tensor stream is laid out in its own region in transfer order: bursts, banks and traces share that layout.
        ComponentId stream = request.Stream ?? OtherTraffic;
        long offset = _streamOffsets.GetValueOrDefault(stream);
        _streamOffsets[stream] = offset + request.Bytes;
        long moved = MovedBytes(offset, request.Bytes);
        long beats = BeatCycles(moved);
        if (_banks is not null && request.Bytes > 0)
        {
            // Opening rows holds the channel too: the transfer's beats wait for them.
            (long hits, long misses, long exposed) = _banks.Access(DramBanks.RegionBase(stream) + offset, request.Bytes, _config.BandwidthBytesPerCycle);
            _rowHits.Add(hits);
            _rowMisses.Add(misses);
            _rowCycles.Add(exposed);
            beats += exposed;
        }

        beats = Math.Max(beats, request.BufferCycles);

        (request.IsWrite ? _writeBytes : _readBytes).Add(moved);
        _burstPaddingBytes.Add(moved - request.Bytes);
        _busyCycles.Add(beats);
        _transfers.Increment();
        _busy = true;
        _inFlight++;
        request.OnStart?.Invoke();
        if (_trace is not null)
        {
            TraceTransfer(_trace, request, stream, DramBanks.RegionBase(stream) + offset, beats, moved);
        }

        Simulation.Schedule(beats, _onBeatsDone);
        Simulation.Schedule(beats + _config.LatencyCycles + (_config.Banks?.CasCycles ?? 0), () =>
        {
            _inFlight--;
            request.OnComplete();
        });
    }

    /// <summary>Bytes the channel moves for <paramref name="bytes"/> from <paramref name="offset"/>: every burst from the
    /// one holding the first byte to the one holding the last.</summary>
    private long MovedBytes(long offset, long bytes)
    {
        long burst = _config.BurstBytes;
        return burst <= 1 || bytes == 0 ? bytes : (((offset + bytes + burst - 1) / burst) - (offset / burst)) * burst;
    }

    private void OnBeatsDone()
    {
        _busy = false;
        StartNext();
        if (!_busy)
        {
            _trace?.Counter(new TraceCounter(TraceNames.DramBandwidth, Simulation.Now.Value, 0));
        }
    }

    /// <summary>The transfer as a trace sees it: a slice for its beats, the bandwidth it uses, and its byte addresses.
    /// Each tensor stream has its own 4 GiB region (ifmap, weights, ofmap, others) and is laid out in transfer order:
    /// the model does not track which bytes a re-fetched tile held before.</summary>
    private void TraceTransfer(ITraceSink trace, in Request request, ComponentId stream, long address, long beats, long movedBytes)
    {
        if (beats == 0)
        {
            return;
        }

        long now = Simulation.Now.Value;
        string op = request.IsWrite ? "write" : "read";
        trace.Slice(new TraceSlice(Path, $"{op} {stream}", request.IsWrite ? TraceCategory.DramWrite : TraceCategory.DramRead, now, beats, movedBytes, "bytes"));
        trace.Counter(new TraceCounter(TraceNames.DramBandwidth, now, (double)movedBytes / beats));
        trace.Access(new TraceAccess($"{Path}.{op}", now, beats, 1, address, 0, beats, request.Bytes, beats));
    }

    private readonly record struct Request(long Bytes, bool IsWrite, Action OnComplete, ComponentId? Stream = null, long BufferCycles = 0, Action? OnStart = null);
}
