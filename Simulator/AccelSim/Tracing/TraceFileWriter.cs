using System.Globalization;
using AccelSim.Files;

namespace AccelSim.Tracing;

/// <summary>What every trace file shares: it is written through an <see cref="AtomicFile"/> (a temporary file beside
/// its path, moved into place when complete, so readers never see half a trace), and it stops at a size cap with a notice instead of filling the disk.</summary>
public abstract class TraceFileWriter : ITraceWriter
{
    private readonly AtomicFile _file;
    private bool _completed;
    private bool _disposed;

    /// <param name="path">Where the trace goes.</param>
    /// <param name="maxBytes">The size cap: once this many bytes are written, the writer adds a notice and stops. Range: ≥ 1.</param>
    protected TraceFileWriter(string path, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        Path = System.IO.Path.GetFullPath(path);
        MaxBytes = maxBytes;
        _file = AtomicFile.Create(Path);
    }

    public string Path { get; }

    public long MaxBytes { get; }

    public bool Truncated { get; private set; }

    /// <summary>The stream over the temporary file.</summary>
    protected FileStream Output => _file.Stream;

    /// <summary>Bytes of trace written so far (buffered ones included).</summary>
    protected abstract long BytesWritten { get; }

    /// <summary>The line of a size-cap notice.</summary>
    protected string TruncationNotice(long cycle) => string.Create(
        CultureInfo.InvariantCulture, $"trace truncated: the size cap of {MaxBytes} bytes was reached at cycle {cycle}; later records are not written");

    public void WriteLayer(LayerTrace layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Truncated)
        {
            Write(layer);
        }
    }

    /// <summary>Checks the cap before a record at <paramref name="cycle"/>: when reached, writes the notice and returns false.</summary>
    protected bool Room(long cycle)
    {
        if (Truncated)
        {
            return false;
        }

        if (BytesWritten < MaxBytes)
        {
            return true;
        }

        Truncated = true;
        WriteTruncationNotice(cycle);
        return false;
    }

    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        Finish();
        DisposeWriters();
        _file.Commit();
        _completed = true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_completed)
        {
            DisposeWriters();
        }

        _file.Dispose();

        GC.SuppressFinalize(this);
    }

    /// <summary>Writes the layer's records, calling <see cref="Room"/> before each.</summary>
    protected abstract void Write(LayerTrace layer);

    protected abstract void WriteTruncationNotice(long cycle);

    /// <summary>Writes what ends the file and flushes everything into <see cref="Output"/>.</summary>
    protected abstract void Finish();

    /// <summary>Releases writers layered over <see cref="Output"/>.</summary>
    protected virtual void DisposeWriters()
    {
    }
}
