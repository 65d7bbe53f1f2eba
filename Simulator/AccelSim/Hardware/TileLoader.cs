using AccelSim.Kernel;
using AccelSim.Statistics;
using AccelSim.Tracing;

namespace AccelSim.Hardware;

/// <summary>Fills one double-buffered SRAM buffer from DRAM with a layer's tiles, in order, one per buffer half.</summary>
/// <remarks>
/// Tile i+1 is fetched into the free half while tile i is in use; a half is freed when its consumer releases the tile.
/// Tile sizes must not exceed a half (the mapper guarantees it). Tiles are pulled from their sequence as halves free up,
/// and only the two halves' tiles are tracked, so the loader's memory does not depend on the number of tiles.
/// </remarks>
public sealed class TileLoader : Component
{
    /// <summary>Words DRAM fills wrote into the buffer.</summary>
    public static readonly StatKey WriteWords = new("write_words", StatUnit.Words, "Words written into the buffer by DRAM fills");

    /// <summary>Bytes DRAM fills fetched into the buffer.</summary>
    public static readonly StatKey FillBytes = new("fill_bytes", StatUnit.Bytes, "Bytes fetched from DRAM into the buffer");

    /// <summary>Buffer bytes the decompressor made of compressed DRAM fills (registered only for a compressed map).</summary>
    public static readonly StatKey DecompressedBytes = new("decompressed_bytes", StatUnit.Bytes, "Bytes the zero decompressor wrote into the buffer from compressed DRAM fills");

    private const int Halves = 2;
    private readonly SramConfig _sram;
    private readonly DramChannel _dram;
    private readonly bool _fromChip;
    private readonly bool _portLimited;
    private readonly IEnumerator<long> _tiles;
    private readonly long _tileCount;
    private readonly Half[] _halves = [Half.Empty, Half.Empty];
    private readonly Counter _fillWords;
    private readonly Counter _fillBytes;

    // DRAM bytes over buffer bytes of a tile (zero compression; the buffer holds the tile decompressed).
    private readonly double _dramRatio;
    private readonly Counter? _decompressedBytes;
    private int _nextToLoad;
    private bool _issuing;
    private int _halvesInUse;
    private Action? _onTileReady;
    private readonly ITraceSink? _trace;
    private long _residentBytes;

    /// <param name="fromChip">The tiles are already on chip (the previous layer's output, left in the buffer that is now
    /// this layer's input buffer): they are ready at once, with no DRAM read and no buffer fill.</param>
    /// <param name="portLimited">A fill cannot outrun the buffer's write ports: a tile of T words written in address
    /// order into its half puts ceil(T / banks) words in the busiest bank, and those take ceil(· / write ports) cycles.</param>
    public TileLoader(
        Simulation simulation, ComponentId id, SramConfig sram, DramChannel dram, IEnumerable<long> tileBytes, bool fromChip = false, bool portLimited = true,
        double dramRatio = 1)
        : base(simulation, id.Path)
    {
        Id = id;
        _portLimited = portLimited;
        _sram = sram;
        _dram = dram;
        _fromChip = fromChip;
        // A schedule's tiles come with their count and largest size; a plain list is counted here.
        (_tileCount, long largestBytes) = tileBytes is TileSequence sequence
            ? (sequence.Length, sequence.LargestBytes)
            : (tileBytes.LongCount(), tileBytes.DefaultIfEmpty().Max());
        if (largestBytes > sram.HalfCapacityBytes)
        {
            throw new ArgumentException($"{id}: a tile of {largestBytes} bytes exceeds half the buffer ({sram.HalfCapacityBytes} bytes)", nameof(tileBytes));
        }

        _tiles = tileBytes.GetEnumerator();

        _dramRatio = dramRatio;
        _decompressedBytes = dramRatio == 1 || fromChip ? null : simulation.Stats.Register(id.Path, DecompressedBytes);
        _fillWords = simulation.Stats.Register(id.Path, WriteWords);
        _fillBytes = simulation.Stats.Register(id.Path, FillBytes);
        _trace = simulation.Trace;
    }

    /// <summary>The loader's (and its buffer's) id; its DRAM reads belong to this tensor stream.</summary>
    public ComponentId Id { get; }

    /// <inheritdoc/>
    public override string? PendingWork =>
        _nextToLoad < _tileCount ? $"tile {_nextToLoad} of {_tileCount} not yet fetched ({_halvesInUse} half(s) held by the consumer)" : null;

    /// <summary>Connects the consumer to be told (directly, from an event) that a tile has arrived.</summary>
    public void OnTileReady(Action handler)
    {
        if (_onTileReady is not null)
        {
            throw new InvalidOperationException($"{Path}: OnTileReady is already bound");
        }

        _onTileReady = handler;
    }

    /// <summary>Starts fetching the first tiles.</summary>
    public void Start() => FetchWhileRoom();

    /// <summary>The tile is in its half: fetched and not yet released.</summary>
    public bool IsReady(int tile) => HalfOf(tile) is { Tile: var held, Ready: true } && held == tile;

    /// <summary>The tile's DRAM request waits in the channel's queue behind other transfers.</summary>
    public bool IsQueued(int tile) => HalfOf(tile) is { Tile: var held, Queued: true } && held == tile;

    /// <summary>Bytes of tile <paramref name="tile"/>, which must be fetched or being fetched.</summary>
    public long TileBytes(int tile) => HalfOf(tile) is { Tile: var held } half && held == tile
        ? half.Bytes
        : throw new InvalidOperationException($"{Path}: tile {tile} is not in a buffer half, at cycle {Simulation.Now}");

    /// <summary>The consumer is done with <paramref name="tile"/>: its half is free for the next tile.</summary>
    public void Release(int tile)
    {
        if (!IsReady(tile))
        {
            throw new InvalidOperationException($"{Path}: tile {tile} released before it arrived, at cycle {Simulation.Now}");
        }

        _halves[tile % Halves] = HalfOf(tile) with { Ready = false };
        _halvesInUse--;
        if (_trace is not null)
        {
            TraceOccupancy(_trace, -HalfOf(tile).Bytes);
        }

        FetchWhileRoom();
    }

    private void FetchWhileRoom()
    {
        // Tiles are used in order, so tile i goes into half i mod 2 once tile i − 2 has been released.
        while (_halvesInUse < Halves && _tiles.MoveNext())
        {
            int tile = checked(_nextToLoad++);
            long bytes = _tiles.Current;
            int half = tile % Halves;
            _halves[half] = new Half(tile, bytes, Ready: false, Queued: false);
            _halvesInUse++;
            if (_fromChip)
            {
                Simulation.Schedule(0, () =>
                {
                    _halves[half] = _halves[half] with { Ready = true };
                    _onTileReady?.Invoke();
                });
                continue;
            }

            long words = _sram.Words(bytes);
            long dramBytes = LayerContext.DramBytes(bytes, _dramRatio);
            _fillBytes.Add(dramBytes);
            _decompressedBytes?.Add(bytes);
            _fillWords.Add(words);
            long writeCycles = _portLimited ? SramBanks.Cycles(SramBanks.BusiestBankWords(new WordRun(0, words, words), _sram.Banks), _sram.WritePorts) : 0;
            _halves[half] = _halves[half] with { Queued = true };
            _issuing = true;
            _dram.Read(dramBytes, stream: Id, sinkCycles: writeCycles, onStart: () =>
            {
                // A transfer that waited in the queue may have a consumer charging that wait to DRAM bandwidth: wake it
                // so the charge moves to this tensor. One that starts at once was never waited for as queued.
                _halves[half] = _halves[half] with { Queued = false };
                if (!_issuing && _onTileReady is { } wake)
                {
                    wake();
                }
            },
            onComplete: () =>
            {
                if (_trace is not null)
                {
                    TraceOccupancy(_trace, bytes);
                }

                _halves[half] = _halves[half] with { Ready = true };
                _onTileReady?.Invoke();
            });
            _issuing = false;
        }
    }

    private Half HalfOf(int tile) => _halves[tile % Halves];

    private void TraceOccupancy(ITraceSink trace, long changeBytes)
    {
        _residentBytes += changeBytes;
        trace.Counter(new TraceCounter(Path + TraceNames.OccupancySuffix, Simulation.Now.Value, _residentBytes));
    }

    private static long DivideRoundingUp(long numerator, long denominator) => (numerator + denominator - 1) / denominator;

    /// <summary>What one buffer half holds: a tile's number (−1 before the first) and bytes, and where its fetch is.</summary>
    private readonly record struct Half(int Tile, long Bytes, bool Ready, bool Queued)
    {
        public static Half Empty => new(-1, 0, Ready: false, Queued: false);
    }
}
