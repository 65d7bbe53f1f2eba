using AccelSim.Kernel;
using AccelSim.Statistics;
using AccelSim.Tracing;

namespace AccelSim.Hardware;

/// <summary>The output buffer: results enter when a step ends and drain to DRAM in order; space frees when a write completes.</summary>
public sealed class OutputBuffer : Component
{
    /// <summary>Words of results (and of partial sums written back) written into the buffer.</summary>
    public static readonly StatKey WriteWords = new("write_words", StatUnit.Words, "Words of results written into the buffer, and of partial sums written back after an addition (row stationary)");

    /// <summary>Words read out of the buffer (drains to DRAM, and partial sums read to add to).</summary>
    public static readonly StatKey ReadWords = new("read_words", StatUnit.Words, "Words read out of the buffer to drain it to DRAM, and partial sums read to add to (row stationary)");

    /// <summary>Buffer bytes the compressor read on their way to DRAM (registered only for a compressed map).</summary>
    public static readonly StatKey CompressedBytes = new("compressed_bytes", StatUnit.Bytes, "Bytes of results the zero compressor packed on their way to DRAM");

    private readonly ComponentId _id;
    private readonly SramConfig _sram;
    private readonly DramChannel _dram;
    private readonly bool _keepOnChip;
    private readonly bool _portLimited;
    private readonly Counter _writeWords;
    private readonly Counter _readWords;
    private long _occupiedBytes;
    private int _pendingWrites;
    private Action? _onSpaceFreed;
    private readonly ITraceSink? _trace;
    private long _writePointerWords;
    private long _psumPointerWords;
    private readonly long _baseWord;
    private readonly long _reservedBytes;

    // DRAM bytes over buffer bytes of the results drained (zero compression; the buffer holds them decompressed).
    private readonly double _dramRatio;
    private readonly Counter? _compressedBytes;

    /// <param name="keepOnChip">The results stay in the buffer for the next layer (which reads them as its input): no
    /// DRAM write. The run only asks this of a layer whose whole output fits.</param>
    /// <param name="portLimited">A drain cannot outrun the buffer's read ports: its words, contiguous in the ring, spread
    /// over the banks, ceil(words / banks) of them in the busiest bank at the read ports' rate.</param>
    /// <param name="baseWord">Word address of the buffer's first word (its part of a unified buffer), for traces.</param>
    /// <param name="reservedBytes">Bytes held by a fused layer's line buffer: not available to results.</param>
    public OutputBuffer(
        Simulation simulation, ComponentId id, SramConfig sram, DramChannel dram, bool keepOnChip = false, bool portLimited = true, long baseWord = 0,
        long reservedBytes = 0, double dramRatio = 1)
        : base(simulation, id.Path)
    {
        _dramRatio = dramRatio;
        _reservedBytes = reservedBytes;
        _id = id;
        _baseWord = baseWord;
        _portLimited = portLimited;
        _sram = sram;
        _dram = dram;
        _keepOnChip = keepOnChip;
        _writeWords = simulation.Stats.Register(id.Path, WriteWords);
        _readWords = simulation.Stats.Register(id.Path, ReadWords);
        _compressedBytes = dramRatio == 1 || keepOnChip ? null : simulation.Stats.Register(id.Path, CompressedBytes);
        _trace = simulation.Trace;
    }

    /// <inheritdoc/>
    public override string? PendingWork => _pendingWrites > 0 ? $"{_pendingWrites} DRAM write(s) of {_occupiedBytes} bytes not done" : null;

    /// <summary>True when every result has reached DRAM.</summary>
    public bool IsDrained => _pendingWrites == 0;

    public void OnSpaceFreed(Action handler)
    {
        if (_onSpaceFreed is not null)
        {
            throw new InvalidOperationException($"{Path}: OnSpaceFreed is already bound");
        }

        _onSpaceFreed = handler;
    }

    /// <summary>Whether <paramref name="bytes"/> of results fit now.</summary>
    public bool HasRoom(long bytes) => _occupiedBytes + bytes <= _sram.CapacityBytes - _reservedBytes;

    /// <summary>Results passing through the line buffer of fused layers: <paramref name="writtenBytes"/> written into it
    /// by the array, <paramref name="readBytes"/> read out of it by the vector unit. They never drain to DRAM.</summary>
    public void PassThrough(long writtenBytes, long readBytes)
    {
        _writeWords.Add(_sram.Words(writtenBytes));
        _readWords.Add(_sram.Words(readBytes));
    }

    /// <summary>Adds <paramref name="bytes"/> of partial sums into sums the buffer holds: each word read and written back.
    /// The sums sit in the half of the buffer the mapper keeps for them; they leave through <see cref="Store"/>.</summary>
    public void AccumulatePartialSums(long bytes)
    {
        long words = _sram.Words(bytes);
        _readWords.Add(words);
        _writeWords.Add(words);
        if (_trace is not null && words > 0)
        {
            // The sums' half is the buffer's second half; each sum is read, then written back to its word.
            long halfWords = Math.Max(1, _sram.CapacityBytes * 8 / _sram.WordBits / 2);
            long now = Simulation.Now.Value;
            _trace.Access(new TraceAccess($"{Path}.sram_read", now, words, _sram.ReadPorts * _sram.Banks, _baseWord + halfWords, _psumPointerWords, halfWords));
            _trace.Access(new TraceAccess($"{Path}.sram_write", now, words, _sram.WritePorts * _sram.Banks, _baseWord + halfWords, _psumPointerWords, halfWords));
            _psumPointerWords = (_psumPointerWords + words) % halfWords;
        }
    }

    /// <summary>Stores <paramref name="bytes"/> of results and queues their write to DRAM.</summary>
    public void Store(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        if (!HasRoom(bytes))
        {
            throw new InvalidOperationException($"{Path}: {bytes} bytes stored without room at cycle {Simulation.Now}");
        }

        long words = ((bytes * 8) + _sram.WordBits - 1) / _sram.WordBits;
        _writeWords.Add(words);
        _occupiedBytes += bytes;
        if (_keepOnChip)
        {
            _trace?.Counter(new TraceCounter(Path + TraceNames.OccupancySuffix, Simulation.Now.Value, _occupiedBytes));
            return;
        }

        _readWords.Add(words);
        _compressedBytes?.Add(bytes);
        _pendingWrites++;
        if (_trace is not null)
        {
            TraceStore(_trace, words);
        }

        long readCycles = _portLimited ? SramBanks.ConflictFreeCycles(words, _sram.Banks, _sram.ReadPorts) : 0;
        _dram.Write(LayerContext.DramBytes(bytes, _dramRatio), stream: _id, sourceCycles: readCycles, onComplete: () =>
        {
            _occupiedBytes -= bytes;
            _pendingWrites--;
            _trace?.Counter(new TraceCounter(Path + TraceNames.OccupancySuffix, Simulation.Now.Value, _occupiedBytes));
            _onSpaceFreed?.Invoke();
        });
    }

    /// <summary>The store as a trace sees it: the occupancy, and the words written at the write ports' rate into the
    /// buffer used as a ring.</summary>
    private void TraceStore(ITraceSink trace, long words)
    {
        long now = Simulation.Now.Value;
        long capacityWords = Math.Max(1, _sram.CapacityBytes * 8 / _sram.WordBits);
        trace.Counter(new TraceCounter(Path + TraceNames.OccupancySuffix, now, _occupiedBytes));
        trace.Access(new TraceAccess($"{Path}.sram_write", now, words, _sram.WritePorts * _sram.Banks, _baseWord, _writePointerWords, capacityWords));
        _writePointerWords = (_writePointerWords + words) % capacityWords;
    }
}
