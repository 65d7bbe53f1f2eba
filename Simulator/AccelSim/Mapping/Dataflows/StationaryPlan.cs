using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping.Dataflows;

/// <summary>The weight- or input-stationary schedule of one layer: the sizes decided once (folds, resident tensors,
/// passes and streamed pieces), then the loops that fetch tiles and run steps.</summary>
/// <remarks>The stationary operand fills the array's R×C block (weights for ws, the im2col input for is); the streamed
/// one runs T rows through it. "Spatial" counts the columns' dimension (filters for ws, output pixels for is), "streamed"
/// the other (output pixels for ws, filters for is). See <see cref="StationaryMapper"/> for the model.</remarks>
internal sealed class StationaryPlan
{
    private readonly ConvShape _g;
    private readonly AcceleratorConfig _config;
    private readonly LayerContext _context;
    private readonly string _layerName;
    private readonly MappingPoint _point;
    private readonly bool _ws;
    private readonly bool _paddingAsData;
    private readonly bool _psumsPerFold;
    private readonly int _rows;
    private readonly int _cols;
    private readonly long _area;
    private readonly long _k;
    private readonly long _spatial;
    private readonly long _streamed;
    private readonly long _rowFolds;
    private readonly long _colFolds;
    private readonly long _ifmapHalf;
    private readonly long _weightHalf;
    private readonly long _ofmapCapacity;
    private readonly double? _weightDensity;
    private readonly long _wholeIfmap;
    private readonly long _wholeWeights;
    private readonly bool _ifmapResident;
    private readonly bool _weightsResident;
    private readonly long _passLength;
    private readonly long _pieceLength;

    /// <summary>Cycles a pass spends besides streaming (load, skew, drain), per pass length: at most two per layer.</summary>
    private readonly Dictionary<long, long> _overheads = [];

    /// <summary>True when ws streams the fold's im2col blocks instead of input rows (see <see cref="SizePieces"/>).</summary>
    private bool _streamBlocks;

    /// <exception cref="MappingException">One row of results does not fit the output buffer, or one streamed row of one
    /// fold does not fit half its buffer.</exception>
    /// <param name="point">Limits on the pass and piece lengths (<see cref="MappingPoint.Heuristic"/>: none).</param>
    public StationaryPlan(GemmLayer layer, AcceleratorConfig config, LayerContext context, bool weightsStationary, MappingPoint point)
    {
        _point = point;
        ConvShape g = layer.Shape;
        _g = g;
        _config = config;
        _context = context;
        _layerName = layer.Name;
        _ws = weightsStationary;
        _paddingAsData = context.Run.Counting.PaddingAsData;
        _psumsPerFold = context.Run.Counting.PartialSumsPerFold;
        _rows = config.PeArray.Rows;
        _cols = config.PeArray.Cols;
        _area = (long)g.KernelHeight * g.KernelWidth;
        _k = g.Reduction;
        long m = g.Pixels;
        long n = g.GroupFilters;
        _spatial = _ws ? n : m;
        _streamed = _ws ? m : n;
        _rowFolds = CeilDiv(_k, _rows);
        _colFolds = CeilDiv(_spatial, _cols);
        _ifmapHalf = context.Buffers.Ifmap.HalfCapacityBytes;
        _weightHalf = context.Buffers.Weights.HalfCapacityBytes;
        _ofmapCapacity = context.Buffers.Ofmap.CapacityBytes;
        _weightDensity = layer.WeightDensity;

        _wholeIfmap = context.Input.Bytes((long)g.GroupInChannels * g.InHeight * g.InWidth * g.Batch);
        _wholeWeights = WeightBytes(n, _k);
        _ifmapResident = _wholeIfmap <= _ifmapHalf;
        _weightsResident = _wholeWeights <= _weightHalf;

        // Natively, the partial sums of one pass (its streamed range × the used columns) wait in half the output buffer.
        _passLength = _psumsPerFold || _rowFolds == 1 ? _streamed
            : Math.Min(_streamed, (_ofmapCapacity / 2) / ((long)_cols * PartialSumBytes));
        if (_passLength >= 1)
        {
            _passLength = MappingPoint.Limit(point.StreamedPerPass, _passLength);
        }

        _pieceLength = SizePieces();
    }

    /// <summary>The sizes this plan chose: its point of the mapping space with every limit made explicit.</summary>
    public MappingPoint Chosen => new() { StreamedPerPass = _passLength, StreamedPerPiece = _pieceLength };

    private bool StationaryResident => _ws ? _weightsResident : _ifmapResident;

    private bool StreamedResident => _ws ? _ifmapResident : _weightsResident;

    private long StationaryHalf => _ws ? _weightHalf : _ifmapHalf;

    private long StreamedHalf => _ws ? _ifmapHalf : _weightHalf;

    /// <summary>The schedule: groups, column folds, passes, K (row) folds, streamed pieces.</summary>
    /// <exception cref="MappingException">The stationary block of one fold does not fit half its buffer.</exception>
    public TileSchedule Build(bool fusedRelu)
    {
        IEnumerable<ScheduleEntry> Entries() => Emit(fusedRelu);
        return new(Entries, EngineKind.PeArray, Describe(CeilDiv(_streamed, _passLength)), Totals(fusedRelu, Entries()), tiles: () => Emit(fusedRelu, withSteps: false));
    }

    /// <summary>The schedule's totals from its loop counts, equal to a walk over its entries.</summary>
    /// <remarks>
    /// <para>Every group repeats the first one's tiles and steps (the tile keys start afresh per group). A stationary
    /// block is fetched per (column fold, pass, K fold), and its bytes do not depend on the pass; a streamed piece per
    /// (column fold, K fold, piece), and its bytes do not depend on the column fold. A step depends on its pass, K fold
    /// and piece, and on its column fold only through the columns it uses (the last fold may be partial), except the
    /// first piece of an input-stationary pass, which reads that fold's own pixels: those are counted fold by fold.</para>
    /// <para>Blocks are sized in the walk's order (column folds, then K folds), so a block that does not fit half its
    /// buffer is refused with the same message.</para>
    /// </remarks>
    private ScheduleTotals Totals(bool fusedRelu, IEnumerable<ScheduleEntry> entries)
    {
        long groups = _g.Groups;
        long passes = CeilDiv(_streamed, _passLength);
        var stationary = new TotalsCounter();
        var streamed = new TotalsCounter();
        var totals = new TotalsCounter();

        // A weight-stationary block depends only on its columns' count; an input-stationary one on its own pixels.
        IEnumerable<(long Fold, long Times)> stationaryFolds = _ws ? FoldClasses.FullAndLast(_colFolds) : EveryFold(_colFolds);

        // In the walk's order: the first pass is timed (which may refuse a PE-level array), then the first column fold's
        // blocks are sized, then the last pass is timed, then the other folds' blocks.
        _ = Overhead(Math.Min(_streamed, _passLength));
        if (StationaryResident)
        {
            stationary.Ifmap(groups, _ws ? _wholeWeights : _wholeIfmap);
        }
        else
        {
            foreach ((long colFold, long times) in stationaryFolds)
            {
                long s0 = colFold * _cols;
                long s1 = Math.Min(_spatial, s0 + _cols);
                for (long rowFold = 0; rowFold < _rowFolds; rowFold++)
                {
                    long k0 = rowFold * _rows;
                    stationary.Ifmap(checked(groups * times * passes), StationaryTileBytes(s0, s1, k0, Math.Min(_k, k0 + _rows)));
                }

                _ = Overhead(_streamed - ((passes - 1) * _passLength));
            }
        }

        if (StreamedResident)
        {
            streamed.Ifmap(groups, _ws ? _wholeIfmap : _wholeWeights);
        }

        long perPiece = checked(groups * _colFolds);
        for (long pass = 0; pass < passes; pass++)
        {
            long passStart = pass * _passLength;
            long passEnd = Math.Min(_streamed, passStart + _passLength);
            long overhead = Overhead(passEnd - passStart);
            for (long rowFold = 0; rowFold < _rowFolds; rowFold++)
            {
                long k0 = rowFold * _rows;
                long k1 = Math.Min(_k, k0 + _rows);
                for (long t0 = passStart; t0 < passEnd; t0 += _pieceLength)
                {
                    long t1 = Math.Min(passEnd, t0 + _pieceLength);
                    if (!StreamedResident)
                    {
                        streamed.Ifmap(perPiece, StreamedBytes(t0, t1, k0, k1));
                    }

                    bool first = t0 == passStart;
                    foreach ((long colFold, long times) in !_ws && first ? EveryFold(_colFolds) : FoldClasses.FullAndLast(_colFolds))
                    {
                        long s0 = colFold * _cols;
                        var piece = new Piece(s0, Math.Min(_spatial, s0 + _cols), t0, t1, k0, k1, first, t1 == passEnd, rowFold == _rowFolds - 1);
                        totals.Step(Step(piece, overhead, 0, 0, fusedRelu), checked(groups * times));
                    }
                }
            }
        }

        // The two kinds of tiles, each counted under its buffer's name.
        (TotalsCounter ifmap, TotalsCounter weights) = _ws ? (streamed, stationary) : (stationary, streamed);
        ifmap.AddIfmapTo(totals, weights: false);
        weights.AddIfmapTo(totals, weights: true);

        ComputeStep? last = null;
        if (totals.Steps > 0)
        {
            long lastPassStart = (passes - 1) * _passLength;
            long lastPiece = (_streamed - 1 - lastPassStart) / _pieceLength;
            long t0 = lastPassStart + (lastPiece * _pieceLength);
            long s0 = (_colFolds - 1) * _cols;
            long k0 = (_rowFolds - 1) * _rows;
            var piece = new Piece(s0, _spatial, t0, _streamed, k0, _k, t0 == lastPassStart, true, true);
            last = Step(piece, Overhead(_streamed - lastPassStart), checked((int)(totals.IfmapTiles - 1)), checked((int)(totals.WeightTiles - 1)), fusedRelu) with
            {
                Loop = new LoopCoordinates(LoopNames, _g.Groups - 1, _colFolds - 1, passes - 1, _rowFolds - 1, lastPiece),
            };
        }

        return totals.Build(entries, last);
    }

    /// <summary>Each of <paramref name="folds"/> folds once.</summary>
    private static IEnumerable<(long Fold, long Times)> EveryFold(long folds)
    {
        for (long fold = 0; fold < folds; fold++)
        {
            yield return (fold, 1);
        }
    }

    /// <summary>The loops of <see cref="Emit"/>, outermost first, as traces name a step's coordinates (the reduction
    /// folds are the K folds; a piece is a run of streamed rows within a pass).</summary>
    private static readonly ImmutableArray<string> LoopNames = ["group", "column_fold", "pass", "k_fold", "piece"];

    /// <param name="withSteps">False: the tiles alone, in the same order.</param>
    private IEnumerable<ScheduleEntry> Emit(bool fusedRelu, bool withSteps = true)
    {
        var tiles = new TileNumbers();
        Func<long, ScheduleEntry> stationaryTile = _ws ? tiles.Weight : tiles.Ifmap;
        Func<long, ScheduleEntry> streamedTile = _ws ? tiles.Ifmap : tiles.Weight;
        long passes = CeilDiv(_streamed, _passLength);
        for (int group = 0; group < _g.Groups; group++)
        {
            (long, long, long, long) lastStationary = (-1, -1, -1, -1);
            (long, long, long, long) lastStreamed = (-1, -1, -1, -1);
            for (long colFold = 0; colFold < _colFolds; colFold++)
            {
                long s0 = colFold * _cols;
                long s1 = Math.Min(_spatial, s0 + _cols);
                for (long pass = 0; pass < passes; pass++)
                {
                    long passStart = pass * _passLength;
                    long passEnd = Math.Min(_streamed, passStart + _passLength);
                    long overhead = Overhead(passEnd - passStart);
                    for (long rowFold = 0; rowFold < _rowFolds; rowFold++)
                    {
                        long k0 = rowFold * _rows;
                        long k1 = Math.Min(_k, k0 + _rows);
                        var stationaryKey = StationaryResident ? (group, -1L, -1L, -1L) : (group, colFold, pass, rowFold);
                        if (stationaryKey != lastStationary)
                        {
                            yield return stationaryTile(StationaryTileBytes(s0, s1, k0, k1));
                            lastStationary = stationaryKey;
                        }

                        for (long t0 = passStart; t0 < passEnd; t0 += _pieceLength)
                        {
                            long t1 = Math.Min(passEnd, t0 + _pieceLength);
                            var streamedKey = StreamedResident ? (group, -1L, -1L, -1L) : (group, colFold, rowFold, t0);
                            if (streamedKey != lastStreamed)
                            {
                                yield return streamedTile(StreamedResident ? (_ws ? _wholeIfmap : _wholeWeights) : StreamedBytes(t0, t1, k0, k1));
                                lastStreamed = streamedKey;
                            }

                            if (!withSteps)
                            {
                                continue;
                            }

                            var piece = new Piece(s0, s1, t0, t1, k0, k1, t0 == passStart, t1 == passEnd, rowFold == _rowFolds - 1);
                            yield return ScheduleEntry.Compute(Step(piece, overhead, tiles.LastIfmap, tiles.LastWeight, fusedRelu) with
                            {
                                Loop = new LoopCoordinates(LoopNames, group, colFold, pass, rowFold, (t0 - passStart) / _pieceLength),
                            });
                        }
                    }
                }
            }
        }
    }

    /// <summary>A streamed piece of one fold: array columns [S0, S1), streamed rows [T0, T1), reduction [K0, K1).</summary>
    /// <param name="First">The pass's first piece: it loads the stationary block.</param>
    /// <param name="Last">The pass's last piece: it drains the array.</param>
    /// <param name="LastK">The last K fold: the outputs are final.</param>
    private readonly record struct Piece(long S0, long S1, long T0, long T1, long K0, long K1, bool First, bool Last, bool LastK);

    private ComputeStep Step(in Piece p, long overhead, int ifmapTile, int weightTile, bool fusedRelu)
    {
        long loadCycles = Math.Min(_rows, overhead);
        long length = p.T1 - p.T0;
        long usedCols = p.S1 - p.S0;
        long outputs = length * usedCols;
        bool writes = p.LastK || _psumsPerFold;

        // ws streams input rows (pixels t0..t1) into the array; is holds pixels s0..s1 and loads them once.
        long ifmapElements = _ws ? _g.RealOperands(p.T0, p.T1, p.K0, p.K1) : p.First ? _g.RealOperands(p.S0, p.S1, p.K0, p.K1) : 0;
        long weightBytes = _ws ? (p.First ? WeightBytes(usedCols, p.K1 - p.K0) : 0) : WeightBytes(length, p.K1 - p.K0);
        long fillDrain = (p.First ? loadCycles : 0) + (p.Last ? overhead - loadCycles : 0);
        return new ComputeStep
        {
            IfmapTile = ifmapTile,
            WeightTile = weightTile,
            ComputeCycles = length + fillDrain,
            FillDrainCycles = fillDrain,
            Macs = length * usedCols * (p.K1 - p.K0),
            IfmapReadBytes = _context.Input.Bytes(ifmapElements),
            WeightReadBytes = weightBytes,
            OutputBytes = writes ? _context.Output.Bytes(outputs) : 0,
            InputConversions = _context.Conversions(ifmapElements, writes ? outputs : 0),
            OutputConversions = writes ? outputs : 0,
            VectorOps = fusedRelu && p.LastK ? outputs : 0,
        };
    }

    private string Describe(long passes)
    {
        string name = _ws ? "weight-stationary" : "input-stationary";
        string streamedHow = StreamedResident ? "resident"
            : string.Create(CultureInfo.InvariantCulture, $"streamed in pieces of {_pieceLength}{(_streamBlocks ? " (im2col blocks)" : string.Empty)}");
        string psums = _psumsPerFold ? ", partial sums written per fold (SCALE-Sim)" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} {_rows}x{_cols}: {_g.Groups} group(s) x {_colFolds} column fold(s) x {_rowFolds} K fold(s) x {passes} pass(es) of {_passLength} streamed row(s), {(_ws ? "weights" : "ifmap")} {(StationaryResident ? "resident" : "loaded per fold")}, {(_ws ? "ifmap" : "weights")} {streamedHow}{psums}");
    }

    /// <summary>The streamed piece length: each step's outputs must fit the output buffer, each streamed piece half its
    /// buffer. ws streams the fold's im2col blocks instead when not even one pixel's input rows fit.</summary>
    private long SizePieces()
    {
        long pieceLength = Math.Min(_passLength, _ofmapCapacity / ((long)_cols * PartialSumBytes));
        if (pieceLength < 1)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{_layerName}': one row of results ({_cols * PartialSumBytes} bytes) does not fit {(_passLength < 1 ? "half " : string.Empty)}the ofmap buffer ({(_passLength < 1 ? _ofmapCapacity / 2 : _ofmapCapacity)} bytes); {Smallest().Describe(_context.Buffers)}"));
        }

        if (StreamedResident)
        {
            return MappingPoint.Limit(_point.StreamedPerPiece, pieceLength);
        }

        long rowsPiece = Fitting.Largest(pieceLength, length => WorstPiece(length) <= StreamedHalf);
        if (rowsPiece < 1 && _ws)
        {
            // With input rows too wide for half the ifmap buffer, ws streams just the fold's im2col block instead (its
            // pixels' windows of the K-slice; natively without padding zeros), as SCALE-Sim always does.
            _streamBlocks = true;
            rowsPiece = Fitting.Largest(pieceLength, length => _context.Input.Bytes(length * Math.Min(_rows, _k)) <= StreamedHalf);
        }

        if (rowsPiece < 1)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{_layerName}': one streamed row of one fold ({(_ws ? _context.Input.Bytes(Math.Min(_rows, _k)) : WorstPiece(1))} bytes) does not fit half the {(_ws ? "ifmap" : "weight")} buffer ({StreamedHalf} bytes); {Smallest().Describe(_context.Buffers)}"));
        }

        return MappingPoint.Limit(_point.StreamedPerPiece, rowsPiece);
    }

    /// <summary>The smallest buffers for the smallest tile: a fold's stationary block (its im2col block for is), one
    /// streamed row of it (an im2col row for ws), one row of results (in half the output buffer while partial sums
    /// wait there across K folds); a tensor smaller than its tile is held whole instead.</summary>
    private SmallestTile Smallest()
    {
        long depth = Math.Min(_rows, _k);
        long width = Math.Min(_cols, _spatial);
        long ifmapTile = _context.Input.Bytes(_ws ? depth : width * depth);
        long weightTile = _ws ? WeightBytes(width, depth) : WeightBytes(1, depth);
        long resultRow = (long)_cols * PartialSumBytes;
        return new SmallestTile(
            2 * Math.Min(_wholeIfmap, ifmapTile), 2 * Math.Min(_wholeWeights, weightTile), _psumsPerFold || _rowFolds == 1 ? resultRow : 2 * resultRow);
    }

    /// <summary>Bytes of the stationary block of one fold (the whole tensor when resident).</summary>
    /// <exception cref="MappingException">The block does not fit half its buffer.</exception>
    private long StationaryTileBytes(long s0, long s1, long k0, long k1)
    {
        if (StationaryResident)
        {
            return _ws ? _wholeWeights : _wholeIfmap;
        }

        long stationaryBytes = _ws ? WeightBytes(s1 - s0, k1 - k0) : IfmapBytes(s0, s1, k0, k1);
        if (!_ws && stationaryBytes > StationaryHalf)
        {
            // The input rows are too many: gather just the fold's block of the im2col operand (R×C at most; padding
            // zeros are not fetched natively), as SCALE-Sim always does.
            stationaryBytes = _context.Input.Bytes(_paddingAsData ? (s1 - s0) * (k1 - k0) : _g.RealOperands(s0, s1, k0, k1));
        }

        if (stationaryBytes > StationaryHalf)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{_layerName}': the stationary {(_ws ? "weights" : "input rows")} of one fold ({stationaryBytes} bytes) do not fit half the {(_ws ? "weight" : "ifmap")} buffer ({StationaryHalf} bytes); {Smallest().Describe(_context.Buffers)}"));
        }

        return stationaryBytes;
    }

    private long StreamedBytes(long t0, long t1, long k0, long k1) =>
        !_ws ? WeightBytes(t1 - t0, k1 - k0)
        : _streamBlocks ? _context.Input.Bytes(_paddingAsData ? (t1 - t0) * (k1 - k0) : _g.RealOperands(t0, t1, k0, k1))
        : IfmapBytes(t0, t1, k0, k1);

    /// <summary>Sparse storage sizes a tile by the layer's measured density (tiles here cut K into array-row passes).</summary>
    private long WeightBytes(long filters, long reduction) => WeightTileBytes(filters, reduction, _weightDensity, _config, _context.Bfp);

    /// <summary>Input rows of the channels that reduction indices [k0, k1) touch, for output pixels [p0, p1).</summary>
    private long IfmapBytes(long p0, long p1, long k0, long k1) =>
        _context.Input.Bytes(_g.InputRowsFor(p0, p1 - 1) * _g.InWidth * (((k1 - 1) / _area) - (k0 / _area) + 1));

    private long Overhead(long length)
    {
        if (!_overheads.TryGetValue(length, out long cycles))
        {
            cycles = FoldTiming.CyclesPerFold(_config, _context.Run.Detail, length) - length;
            _overheads[length] = cycles;
        }

        return cycles;
    }

    /// <summary>The largest streamed piece of <paramref name="length"/> rows over every K fold and every piece position.
    /// Input rows scale with the channels a K-slice touches; a weight piece depends only on the slice length, the first
    /// one being the longest.</summary>
    private long WorstPiece(long length)
    {
        if (!_ws)
        {
            return WeightBytes(length, Math.Min(_rows, _k));
        }

        long channels = 0;
        for (long rowFold = 0; rowFold < _rowFolds; rowFold++)
        {
            long k0 = rowFold * _rows;
            channels = Math.Max(channels, ((Math.Min(_k, k0 + _rows) - 1) / _area) - (k0 / _area) + 1);
        }

        long most = 0;
        for (long t0 = 0; t0 < _streamed; t0 += length)
        {
            most = Math.Max(most, _g.InputRowsFor(t0, Math.Min(_streamed, t0 + length) - 1));
        }

        // Pieces start again at each pass: when the pass length is not a multiple of the piece length they straddle
        // other output rows than the pieces counted from 0, and may need more input rows.
        if (_passLength < _streamed && _passLength % length != 0)
        {
            for (long passStart = 0; passStart < _streamed; passStart += _passLength)
            {
                long passEnd = Math.Min(_streamed, passStart + _passLength);
                for (long t0 = passStart; t0 < passEnd; t0 += length)
                {
                    most = Math.Max(most, _g.InputRowsFor(t0, Math.Min(passEnd, t0 + length) - 1));
                }
            }
        }

        return _context.Input.Bytes(most * _g.InWidth * channels);
    }
}
