using AccelSim.Kernel;
using AccelSim.Statistics;

namespace AccelSim.Hardware;

/// <summary>The output buffer: results enter when a step ends and drain to DRAM in order; space frees when a write completes.</summary>
public sealed class OutputBuffer : Component
{
    private readonly SramConfig _sram;
    private readonly DramChannel _dram;
    private readonly Counter _writeWords;
    private readonly Counter _readWords;
    private long _occupiedBytes;
    private int _pendingWrites;
    private Action? _onSpaceFreed;

    public OutputBuffer(Simulation simulation, string path, SramConfig sram, DramChannel dram)
        : base(simulation, path)
    {
        _sram = sram;
        _dram = dram;
        _writeWords = simulation.Stats.RegisterCounter($"{path}.write_words", StatUnit.Words, "Words of results written into the buffer");
        _readWords = simulation.Stats.RegisterCounter($"{path}.read_words", StatUnit.Words, "Words read out of the buffer to drain it to DRAM");
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
    public bool HasRoom(long bytes) => _occupiedBytes + bytes <= _sram.CapacityBytes;

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
        _readWords.Add(words);
        _occupiedBytes += bytes;
        _pendingWrites++;
        _dram.Write(bytes, () =>
        {
            _occupiedBytes -= bytes;
            _pendingWrites--;
            _onSpaceFreed?.Invoke();
        });
    }
}
