using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping.Dataflows;

/// <summary>The row-stationary schedule of one layer: strips, filter blocks and channel chunks sized once, then the loops
/// that fetch tiles and run the array passes (see <see cref="RowStationaryMapper"/> for the model).</summary>
internal sealed class RowStationaryPlan
{
    private readonly ConvShape _g;
    private readonly AcceleratorConfig _config;
    private readonly LayerContext _context;
    private readonly string _layerName;
    private readonly MappingPoint _point;
    private readonly int _arrayRows;
    private readonly int _arrayCols;
    private readonly int _r;
    private readonly int _e;
    private readonly int _f;
    private readonly long _n;

    /// <summary>Batch items per tile: all of them unless one output row of one filter and one channel's input rows for
    /// it, for all items, do not fit half their buffers.</summary>
    private readonly long _itemsPerBlock;
    private readonly int _rowPasses;
    private readonly long _ifmapHalf;
    private readonly long _weightHalf;
    private readonly long _psumHalf;
    private readonly double? _weightDensity;
    private readonly long _wholeIfmap;
    private readonly bool _ifmapResident;
    private readonly long _wholeWeights;
    private readonly bool _weightsResident;
    private readonly int _widestStrip;
    private readonly int _strips;

    /// <summary>Distinct input rows (inside the input) a set of strip s, row pass p reads, and the most of them.</summary>
    private readonly long[,] _rowsRead;
    private readonly long _mostRows;

    /// <summary>The real columns (not padding) of a streamed input row.</summary>
    private readonly long _realColumns;
    private readonly long _filtersPerBlock;
    private readonly long _channelsPerChunk;

    /// <summary>Cycles of a pass per shape: a few shapes per layer (the last strip, the last row pass, a last chunk's q).</summary>
    private readonly Dictionary<RowStationaryPass, long> _passCycles = [];

    /// <exception cref="MappingException">One filter's output rows of a strip, or one channel's input rows or filter
    /// rows, do not fit half their buffer.</exception>
    /// <param name="point">Limits on the sizes the plan chooses (<see cref="MappingPoint.Heuristic"/>: none).</param>
    public RowStationaryPlan(GemmLayer layer, AcceleratorConfig config, LayerContext context, MappingPoint point)
    {
        _point = point;
        ConvShape g = layer.Shape;
        _g = g;
        _config = config;
        _context = context;
        _layerName = layer.Name;
        _weightDensity = layer.WeightDensity;
        _arrayRows = config.PeArray.Rows;
        _arrayCols = config.PeArray.Cols;
        _r = g.KernelHeight;
        _e = g.OutHeight;
        _f = g.OutWidth;
        _n = g.Batch;
        _rowPasses = (int)CeilDiv(_r, _arrayRows);
        _ifmapHalf = context.Buffers.Ifmap.HalfCapacityBytes;
        _weightHalf = context.Buffers.Weights.HalfCapacityBytes;
        _psumHalf = context.Buffers.Ofmap.CapacityBytes / 2;
        _wholeIfmap = context.Input.Bytes((long)g.GroupInChannels * g.InHeight * g.InWidth * _n);
        _ifmapResident = _wholeIfmap <= _ifmapHalf;
        _wholeWeights = WeightBytes(g.GroupFilters, g.GroupInChannels, _r);
        _weightsResident = _wholeWeights <= _weightHalf;

        _itemsPerBlock = ItemsPerBlock();
        _widestStrip = WidestStrip();
        _strips = (int)CeilDiv(_e, _widestStrip);
        (_rowsRead, _mostRows) = CountRowsRead();

        int stream = Pass(0, 0).StreamLength;
        _realColumns = Math.Max(0, Math.Min(stream - 1, g.InWidth - 1 + g.PadLeft) - Math.Max(0, g.PadLeft) + 1);
        (_filtersPerBlock, _channelsPerChunk) = SizeBlocksAndChunks();
    }

    /// <summary>The sizes this plan chose: its point of the mapping space with every limit made explicit.</summary>
    public MappingPoint Chosen => new()
    {
        ItemsPerBlock = _itemsPerBlock, StripRows = _widestStrip, FiltersPerBlock = _filtersPerBlock, ChannelsPerChunk = _channelsPerChunk,
    };

    /// <summary>The schedule: groups, batch blocks, strips, filter blocks, filter-row passes, channel chunks.</summary>
    /// <exception cref="MappingException">The PE-level model would simulate too many PE-cycles for one pass.</exception>
    public TileSchedule Build(bool fusedRelu)
    {
        long filterBlocks = CeilDiv(_g.GroupFilters, _filtersPerBlock);
        long chunks = CeilDiv(_g.GroupInChannels, _channelsPerChunk);

        // The description counts the array passes, which the totals count with the steps.
        (ScheduleTotals totals, PassTally tally) = Totals(fusedRelu, Emit(fusedRelu, withSteps: true));

        RowStationaryPass first = tally.First!.Value;
        long totalPasses = tally.Passes;
        long batchBlocks = CeilDiv(_n, _itemsPerBlock);
        string batchSplit = batchBlocks == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"{batchBlocks} batch block(s) of up to {_itemsPerBlock} item(s) x ");
        string description = string.Create(CultureInfo.InvariantCulture,
            $"row-stationary {_arrayRows}x{_arrayCols}: {_g.Groups} group(s) x {batchSplit}{_strips} strip(s) of up to {_widestStrip} output row(s) x {filterBlocks} filter block(s) x {_rowPasses} filter-row pass(es) x {chunks} channel chunk(s); " +
            $"sets of {first.FilterRows}x{first.OutRows} PEs, {first.Replicas(_arrayRows, _arrayCols)} side by side, {first.Channels} channel(s) per PE, {totalPasses} array pass(es), the first {Cycles(first)} cycles; " +
            $"ifmap {(_ifmapResident ? "resident" : "streamed")}, weights {(_weightsResident ? "resident" : "streamed")}");
        return new TileSchedule(() => Emit(fusedRelu, withSteps: true), EngineKind.PeArray, description, totals, tiles: () => Emit(fusedRelu, withSteps: false));
    }

    /// <summary>The schedule's totals from its loop counts, equal to a walk over its entries, and its array passes.</summary>
    /// <remarks>
    /// <para>Every group repeats the first one's tiles and steps (the tile keys start afresh per group). A step depends
    /// on its strip and filter-row pass, and on its batch block, filter block and channel chunk only through their
    /// sizes (the last of each may be partial) and, for the chunk, whether it is the first or the last (the first
    /// contribution of an output is written, not added; the last makes it final): the first full block stands for the
    /// others, and the chunks fall into first, middle and last.</para>
    /// <para>An input tile's key leaves out the filter block: with one filter-row pass and one chunk a (batch block,
    /// strip) fetches its input once, otherwise every step fetches its own. A weight tile's key leaves out the batch
    /// block and the strip: with one filter block, one pass and one chunk a group fetches its weights once, otherwise
    /// every step fetches its own.</para>
    /// </remarks>
    private (ScheduleTotals Totals, PassTally Tally) Totals(bool fusedRelu, IEnumerable<ScheduleEntry> entries)
    {
        long groups = _g.Groups;
        long filterBlocks = CeilDiv(_g.GroupFilters, _filtersPerBlock);
        long chunks = CeilDiv(_g.GroupInChannels, _channelsPerChunk);
        long batchBlocks = CeilDiv(_n, _itemsPerBlock);
        bool oneStepPerRun = _rowPasses == 1 && chunks == 1;
        var totals = new TotalsCounter();
        var tally = new PassTally();
        if (_ifmapResident)
        {
            totals.Ifmap(groups, _wholeIfmap);
        }

        if (_weightsResident)
        {
            totals.Weight(groups, _wholeWeights);
        }
        else if (oneStepPerRun && filterBlocks == 1)
        {
            totals.Weight(groups, WeightBytes(Math.Min(_filtersPerBlock, _g.GroupFilters), Math.Min(_channelsPerChunk, _g.GroupInChannels), Pass(0, 0).FilterRows));
        }

        foreach ((long batchBlock, long batchTimes) in FoldClasses.FullAndLast(batchBlocks))
        {
            long items = Math.Min(_itemsPerBlock, _n - (batchBlock * _itemsPerBlock));
            for (int strip = 0; strip < _strips; strip++)
            {
                for (int rowPass = 0; rowPass < _rowPasses; rowPass++)
                {
                    foreach ((long chunk, long chunkTimes) in FirstMiddleLast(chunks))
                    {
                        if (!_ifmapResident)
                        {
                            long channels = Math.Min(_channelsPerChunk, _g.GroupInChannels - (chunk * _channelsPerChunk));
                            totals.Ifmap(checked(groups * batchTimes * chunkTimes * (oneStepPerRun ? 1 : filterBlocks)),
                                _context.Input.Bytes(_rowsRead[strip, rowPass] * _g.InWidth * channels * items));
                        }
                    }
                }

                foreach ((long block, long blockTimes) in FoldClasses.FullAndLast(filterBlocks))
                {
                    long filters = Math.Min(_filtersPerBlock, _g.GroupFilters - (block * _filtersPerBlock));
                    for (int rowPass = 0; rowPass < _rowPasses; rowPass++)
                    {
                        RowStationaryPass rows = Pass(rowPass, strip);
                        long replicas = rows.Replicas(_arrayRows, _arrayCols);
                        foreach ((long chunk, long chunkTimes) in FirstMiddleLast(chunks))
                        {
                            long channels = Math.Min(_channelsPerChunk, _g.GroupInChannels - (chunk * _channelsPerChunk));
                            RowStationaryPass pass = rows with { Channels = RowStationaryMapper.ChannelsPerPe(channels, filters * items, replicas, _g.KernelWidth) };
                            tally.First ??= pass;
                            long times = checked(groups * batchTimes * blockTimes * chunkTimes);
                            long tileWeightBytes = WeightBytes(filters, channels, pass.FilterRows);
                            if (!_weightsResident && !(oneStepPerRun && filterBlocks == 1))
                            {
                                totals.Weight(times, tileWeightBytes);
                            }

                            var work = new ChunkWork(filters, channels, items, replicas, _rowsRead[strip, rowPass],
                                IsFirst: rowPass == 0 && chunk == 0, IsLast: rowPass == _rowPasses - 1 && chunk == chunks - 1);
                            (ComputeStep step, long passes) = Step(pass, work, tileWeightBytes, 0, 0, fusedRelu);
                            totals.Step(step, times);
                            tally.Add(checked(passes * times));
                        }
                    }
                }
            }
        }

        ComputeStep last;
        {
            long items = _n - ((batchBlocks - 1) * _itemsPerBlock);
            long filters = _g.GroupFilters - ((filterBlocks - 1) * _filtersPerBlock);
            long channels = _g.GroupInChannels - ((chunks - 1) * _channelsPerChunk);
            int strip = _strips - 1;
            int rowPass = _rowPasses - 1;
            RowStationaryPass rows = Pass(rowPass, strip);
            long replicas = rows.Replicas(_arrayRows, _arrayCols);
            RowStationaryPass pass = rows with { Channels = RowStationaryMapper.ChannelsPerPe(channels, filters * items, replicas, _g.KernelWidth) };
            var work = new ChunkWork(filters, channels, items, replicas, _rowsRead[strip, rowPass], IsFirst: rowPass == 0 && chunks == 1, IsLast: true);
            last = Step(pass, work, WeightBytes(filters, channels, pass.FilterRows), checked((int)(totals.IfmapTiles - 1)), checked((int)(totals.WeightTiles - 1)), fusedRelu).Step with
            {
                Loop = new LoopCoordinates(LoopNames, _g.Groups - 1, batchBlocks - 1, strip, filterBlocks - 1, rowPass, chunks - 1),
            };
        }

        return (totals.Build(entries, last), tally);
    }

    /// <summary>The classes of a chunk loop whose first and last chunks differ from the others: (first, 1), (second,
    /// count − 2) standing for the middle ones, (last, 1).</summary>
    private static IEnumerable<(long Chunk, long Times)> FirstMiddleLast(long chunks) =>
        chunks switch
        {
            1 => [(0, 1)],
            2 => [(0, 1), (1, 1)],
            _ => [(0, 1), (1, chunks - 2), (chunks - 1, 1)],
        };

    /// <summary>The loops of <see cref="Emit"/>, outermost first, as traces name a step's coordinates.</summary>
    private static readonly ImmutableArray<string> LoopNames = ["group", "batch_block", "strip", "filter_block", "filter_row_pass", "channel_chunk"];

    /// <param name="withSteps">False: the tiles alone, in the same order.</param>
    private IEnumerable<ScheduleEntry> Emit(bool fusedRelu, bool withSteps)
    {
        long filterBlocks = CeilDiv(_g.GroupFilters, _filtersPerBlock);
        long chunks = CeilDiv(_g.GroupInChannels, _channelsPerChunk);
        long batchBlocks = CeilDiv(_n, _itemsPerBlock);
        var tiles = new TileNumbers();
        for (int group = 0; group < _g.Groups; group++)
        {
            (long, long, long, long, long) lastIfmap = (-1, -1, -1, -1, -1);
            (long, long, long, long) lastWeights = (-1, -1, -1, -1);
            for (long batchBlock = 0; batchBlock < batchBlocks; batchBlock++)
            {
                long items = Math.Min(_itemsPerBlock, _n - (batchBlock * _itemsPerBlock));
                for (int strip = 0; strip < _strips; strip++)
                {
                    for (long block = 0; block < filterBlocks; block++)
                    {
                        long filters = Math.Min(_filtersPerBlock, _g.GroupFilters - (block * _filtersPerBlock));
                        for (int rowPass = 0; rowPass < _rowPasses; rowPass++)
                        {
                            RowStationaryPass rows = Pass(rowPass, strip);
                            long replicas = rows.Replicas(_arrayRows, _arrayCols);
                            for (long chunk = 0; chunk < chunks; chunk++)
                            {
                                long channels = Math.Min(_channelsPerChunk, _g.GroupInChannels - (chunk * _channelsPerChunk));
                                int q = RowStationaryMapper.ChannelsPerPe(channels, filters * items, replicas, _g.KernelWidth);
                                RowStationaryPass pass = rows with { Channels = q };
                                var ifmapKey = _ifmapResident ? (group, -1L, -1L, -1L, -1L) : (group, batchBlock, strip, rowPass, chunk);
                                if (ifmapKey != lastIfmap)
                                {
                                    yield return tiles.Ifmap(_ifmapResident ? _wholeIfmap : _context.Input.Bytes(_rowsRead[strip, rowPass] * _g.InWidth * channels * items));
                                    lastIfmap = ifmapKey;
                                }

                                long tileWeightBytes = WeightBytes(filters, channels, pass.FilterRows);
                                var weightKey = _weightsResident ? (group, -1L, -1L, -1L) : (group, block, rowPass, chunk);
                                if (weightKey != lastWeights)
                                {
                                    yield return tiles.Weight(_weightsResident ? _wholeWeights : tileWeightBytes);
                                    lastWeights = weightKey;
                                }

                                if (!withSteps)
                                {
                                    continue;
                                }

                                var work = new ChunkWork(filters, channels, items, replicas, _rowsRead[strip, rowPass],
                                    IsFirst: rowPass == 0 && chunk == 0, IsLast: rowPass == _rowPasses - 1 && chunk == chunks - 1);
                                (ComputeStep step, _) = Step(pass, work, tileWeightBytes, tiles.LastIfmap, tiles.LastWeight, fusedRelu);
                                yield return ScheduleEntry.Compute(step with { Loop = new LoopCoordinates(LoopNames, group, batchBlock, strip, block, rowPass, chunk) });
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The array passes of a schedule and its first pass, for its description.</summary>
    private sealed class PassTally
    {
        public RowStationaryPass? First { get; set; }

        public long Passes { get; private set; }

        public void Add(long passes) => Passes += passes;
    }

    /// <summary>The work of one step: a block of filters on a chunk of channels, for one strip and row pass.</summary>
    /// <param name="Items">Batch items of the step's batch block.</param>
    /// <param name="Replicas">Units per array pass.</param>
    /// <param name="RowsRead">Distinct input rows the step's sets read.</param>
    /// <param name="IsFirst">The first row pass and chunk: each output's first contribution is written, not added.</param>
    /// <param name="IsLast">The last row pass and chunk: the outputs are final.</param>
    private readonly record struct ChunkWork(long Filters, long Channels, long Items, long Replicas, long RowsRead, bool IsFirst, bool IsLast);

    /// <summary>All the array passes of one step, and how many there are.</summary>
    private (ComputeStep Step, long Passes) Step(RowStationaryPass pass, in ChunkWork work, long tileWeightBytes, int ifmapTile, int weightTile, bool fusedRelu)
    {
        long filters = work.Filters;
        long runs = work.Items * (work.Channels / pass.Channels);
        long units = filters * runs;
        long passes = CeilDiv(units, work.Replicas);
        long cycles = Cycles(pass);
        long pes = (long)pass.FilterRows * pass.OutRows;
        long ifmapElements = RowStationaryMapper.MulticastReads(filters, runs, work.Replicas) * pass.Channels * work.RowsRead * _realColumns;
        long outputs = work.IsLast ? filters * work.Items * pass.OutRows * _f : 0;

        // Each unit's output rows join their outputs in the output buffer; all but an output's first contribution read
        // the stored partial sum and write the new one.
        long firstContributions = work.IsFirst ? filters * work.Items : 0;
        long psumBytes = (units - firstContributions) * pass.OutRows * _f * PartialSumBytes;
        var step = new ComputeStep
        {
            IfmapTile = ifmapTile,
            WeightTile = weightTile,
            ComputeCycles = passes * cycles,
            FillDrainCycles = passes * (cycles - pass.MacsPerPe),
            Macs = units * pes * pass.MacsPerPe,
            IfmapReadBytes = _context.Input.Bytes(ifmapElements),

            // Each unit reads its filter rows once: the block's rows once per batch item.
            WeightReadBytes = tileWeightBytes * work.Items,
            OutputBytes = _context.Output.Bytes(outputs),
            PartialSumBytes = psumBytes,
            InputConversions = _context.Conversions(ifmapElements, outputs),
            OutputConversions = outputs,
            VectorOps = fusedRelu ? outputs : 0,
            RegisterFileAccesses = units * pes * pass.RegisterFileAccessesPerPe,
        };
        return (step, passes);
    }

    /// <summary>All the batch items, or as many as one output row of one filter (its psums, in half the output buffer)
    /// and one channel's input rows for it (in half the ifmap buffer) allow; the smallest tile is one item.</summary>
    /// <exception cref="MappingException">Even one item of the smallest tile does not fit.</exception>
    private long ItemsPerBlock()
    {
        long items = Fitting.Largest(_n, ItemsFit);
        if (items < 1 || WeightBytes(1, 1, Math.Min(_arrayRows, _r)) > _weightHalf)
        {
            throw NothingFits();
        }

        return MappingPoint.Limit(_point.ItemsPerBlock, items);
    }

    private bool ItemsFit(long items) =>
        (_ifmapResident || _context.Input.Bytes(StripInputRows(1) * _g.InWidth * items) <= _ifmapHalf)
        && (long)_f * items * PartialSumBytes <= _psumHalf;

    /// <summary>The smallest tile (one output row of one batch item, one filter, one channel, the first filter-row pass)
    /// does not fit: the refusal names the smallest buffers that hold it.</summary>
    private MappingException NothingFits()
    {
        long ifmapBytes = Math.Min(_wholeIfmap, _context.Input.Bytes(StripInputRows(1) * _g.InWidth));
        long weightBytes = Math.Min(_wholeWeights, WeightBytes(1, 1, Math.Min(_arrayRows, _r)));
        long psumBytes = (long)_f * PartialSumBytes;
        return SmallestTile.Refusal(_layerName, "row_stationary", "one output row of one batch item, one filter and one channel",
            new SmallestTile(2 * ifmapBytes, 2 * weightBytes, 2 * psumBytes), _context.Buffers);
    }

    /// <summary>A strip is at most C_arr output rows, fewer when one channel's input rows for it (the block's batch
    /// items, the span of the first filter-row pass) would not fit half the ifmap buffer, or one filter's outputs of it
    /// half the output buffer.</summary>
    private int WidestStrip()
    {
        long widest = _ifmapResident ? Math.Min(_e, _arrayCols)
            : Fitting.Largest(Math.Min(_e, _arrayCols), rows => _context.Input.Bytes(StripInputRows(rows) * _g.InWidth * _itemsPerBlock) <= _ifmapHalf);
        return (int)MappingPoint.Limit(_point.StripRows, Math.Max(1, Fitting.Largest(widest, rows => rows * _f * _itemsPerBlock * PartialSumBytes <= _psumHalf)));
    }

    private long StripInputRows(long rows) =>
        Math.Min(_g.InHeight, ((rows - 1) * _g.StrideHeight) + ((long)(Math.Min(_arrayRows, _r) - 1) * _g.DilationHeight) + 1);

    /// <summary>The logical PE set of one filter-row pass of one strip (one channel per PE).</summary>
    private RowStationaryPass Pass(int rowPass, int strip) => new(
        Math.Min(_arrayRows, _r - (rowPass * _arrayRows)), _g.KernelWidth, Math.Min(_widestStrip, _e - (strip * _widestStrip)), _f,
        _g.StrideHeight, _g.StrideWidth, _g.DilationHeight, _g.DilationWidth);

    /// <summary>Sparse storage sizes a tile by the layer's measured density (tiles cut the filters into rows and channels).</summary>
    private long WeightBytes(long filters, long channels, int filterRows) =>
        WeightTileBytes(filters, channels * filterRows * _g.KernelWidth, _weightDensity, _config, _context.Bfp);

    /// <summary>Distinct input rows (inside the input) each (strip, row pass) set reads, and the most any reads.</summary>
    private (long[,] RowsRead, long MostRows) CountRowsRead()
    {
        var rowsRead = new long[_strips, _rowPasses];
        long mostRows = 0;
        for (int strip = 0; strip < _strips; strip++)
        {
            for (int rowPass = 0; rowPass < _rowPasses; rowPass++)
            {
                RowStationaryPass pass = Pass(rowPass, strip);
                var rows = new HashSet<long>();
                for (int j = 0; j < pass.OutRows; j++)
                {
                    for (int i = 0; i < pass.FilterRows; i++)
                    {
                        long row = ((long)((strip * _widestStrip) + j) * _g.StrideHeight) - _g.PadTop + ((long)((rowPass * _arrayRows) + i) * _g.DilationHeight);
                        if (row >= 0 && row < _g.InHeight)
                        {
                            rows.Add(row);
                        }
                    }
                }

                rowsRead[strip, rowPass] = rows.Count;
                mostRows = Math.Max(mostRows, rows.Count);
            }
        }

        return (rowsRead, mostRows);
    }

    /// <summary>Filters per block (their psums of a strip fit half the output buffer, their filter rows half the weight
    /// buffer) and channels per chunk (their input rows fit half the ifmap buffer, their filter rows the weight buffer).</summary>
    private (long FiltersPerBlock, long ChannelsPerChunk) SizeBlocksAndChunks()
    {
        long stripOutputBytes = (long)_widestStrip * _f * _itemsPerBlock * PartialSumBytes;
        long filtersPerBlock = Math.Min(_g.GroupFilters, _psumHalf / stripOutputBytes);
        int firstPassRows = Math.Min(_arrayRows, _r);
        if (!_weightsResident)
        {
            filtersPerBlock = Fitting.Largest(filtersPerBlock, m => WeightBytes(m, 1, firstPassRows) <= _weightHalf);
        }

        filtersPerBlock = filtersPerBlock < 1 ? filtersPerBlock : MappingPoint.Limit(_point.FiltersPerBlock, filtersPerBlock);

        long channelsPerChunk = Fitting.Largest(_g.GroupInChannels, c =>
            (_ifmapResident || _context.Input.Bytes(_mostRows * _g.InWidth * c * _itemsPerBlock) <= _ifmapHalf)
            && (_weightsResident || WeightBytes(filtersPerBlock, c, firstPassRows) <= _weightHalf));
        if (filtersPerBlock < 1 || channelsPerChunk < 1)
        {
            throw NothingFits();
        }

        return (filtersPerBlock, MappingPoint.Limit(_point.ChannelsPerChunk, channelsPerChunk));
    }

    private long Cycles(RowStationaryPass pass)
    {
        if (!_passCycles.TryGetValue(pass, out long cycles))
        {
            cycles = RowStationaryMapper.PassCycles(pass, _config, _context.Run.Detail);
            _passCycles[pass] = cycles;
        }

        return cycles;
    }
}
