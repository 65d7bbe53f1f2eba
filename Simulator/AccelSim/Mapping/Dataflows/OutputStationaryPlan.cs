using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping.Dataflows;

/// <summary>The output-stationary sizes decided once per layer: folds, K chunks, row-fold bands, which tensors stay
/// resident; and the schedule they make in either loop order.</summary>
/// <remarks>
/// <para>A streamed input tile holds the input rows of a band of consecutive row folds, as many as fit half the
/// buffer, so neighbouring folds that read the same rows share one fetch (a line buffer). When K must be split,
/// partial sums stay in the array across the chunks of one fold, so a band is then a single fold.</para>
/// <para>When not even one input channel of one fold fits (its input rows or its weights), the folds gather their
/// operands: K is streamed in chunks of as many whole channels as fit, or, when not even one does, in pieces of one
/// channel (<see cref="TapsPerPiece"/> reduction indices; the last piece of a channel may be shorter). Each chunk
/// fetches the smaller of two: the input rows its kernel rows read, or its im2col block (the fold's pixels × the
/// chunk's reduction indices, padding zeros not fetched natively), as the stationary dataflows gather a fold's block.
/// Chunks are sized so the block fits half the buffer; they follow one another without a new fill, so compute cycles
/// stay the closed form and the cost is the extra fetches.</para>
/// </remarks>
internal sealed record OutputStationaryPlan(
    ConvShape G, AcceleratorConfig Config, LayerContext Context, int ArrayRows, int ArrayCols, long RowFolds, long ColFolds,
    int ChannelsPerChunk, int Chunks, long FoldsPerBand, bool IfmapResident, bool WeightsResident, long ResidentIfmapBytes,
    long ResidentWeightBytes, WeightMask? Mask, bool Gathered = false, long TapsPerPiece = 0, int PiecesPerChannel = 1)
{
    private bool Skip => Mask is not null && Config.PeArray.ZeroOperands == ZeroOperandPolicy.Skip;

    private long KernelArea => (long)G.KernelHeight * G.KernelWidth;

    private long IfmapHalf => Context.Buffers.Ifmap.HalfCapacityBytes;

    private long WeightHalf => Context.Buffers.Weights.HalfCapacityBytes;

    /// <param name="point">Limits on the chunk and band sizes (<see cref="MappingPoint.Heuristic"/>: none).</param>
    /// <exception cref="MappingException">Not even one reduction step of one fold fits half its buffers.</exception>
    public static OutputStationaryPlan Create(GemmLayer layer, AcceleratorConfig config, LayerContext context, MappingPoint point)
    {
        ConvShape g = layer.Shape;
        WeightMask? mask = layer.NonZeroWeights;
        int rows = config.PeArray.Rows;
        int cols = config.PeArray.Cols;
        long rowFolds = CeilDiv(g.Pixels, rows);
        long colFolds = CeilDiv(g.GroupFilters, cols);

        long wholeIfmap = context.Input.Bytes((long)g.GroupInChannels * g.InHeight * g.InWidth * g.Batch);
        // Stored size of the largest group's weights (sparse storage shrinks it by the measured non-zeros).
        long wholeWeights = Enumerable.Range(0, g.Groups).Max(group => GroupWeightBytes(g, config, context.Bfp, mask, group));
        bool ifmapResident = wholeIfmap <= context.Buffers.Ifmap.HalfCapacityBytes;
        bool weightsResident = wholeWeights <= context.Buffers.Weights.HalfCapacityBytes;
        var plan = new OutputStationaryPlan(g, config, context, rows, cols, rowFolds, colFolds, 0, 0, 1, ifmapResident, weightsResident,
            wholeIfmap, wholeWeights, mask);

        // ChannelsFit() is monotone in the channel count: find the largest chunk that fits (0 when none does).
        long maxRowsPerFold = ifmapResident ? 0 : plan.MaxInputRows(1);
        int channelsPerChunk = (int)Fitting.Largest(g.GroupInChannels, c => plan.ChannelsFit((int)c, maxRowsPerFold));
        return channelsPerChunk == 0 ? plan.InPiecesOfChannels(layer.Name, point)
            : plan.InChunksOfChannels((int)MappingPoint.Limit(point.ChannelsPerChunk, channelsPerChunk), point);
    }

    /// <summary>K in chunks of whole channels whose input rows and weights fit half their buffers; with one chunk the
    /// row folds form bands that share their input rows.</summary>
    private OutputStationaryPlan InChunksOfChannels(int channelsPerChunk, MappingPoint point)
    {
        long rowBytesAllChannels = Context.Input.Bytes((long)G.InWidth * G.GroupInChannels);
        int chunks = (int)CeilDiv(G.GroupInChannels, channelsPerChunk);
        long foldsPerBand = IfmapResident || chunks > 1 ? 1
            : MappingPoint.Limit(point.FoldsPerBand, Math.Max(1, Fitting.Largest(RowFolds, b => MaxInputRows(b) * rowBytesAllChannels <= IfmapHalf)));
        return this with { ChannelsPerChunk = channelsPerChunk, Chunks = chunks, FoldsPerBand = foldsPerBand, TapsPerPiece = KernelArea };
    }

    /// <summary>Not one channel fits: the folds gather their im2col blocks, of several whole channels when one channel's
    /// block fits, or of pieces of one channel.</summary>
    private OutputStationaryPlan InPiecesOfChannels(string layerName, MappingPoint point)
    {
        long kernelArea = KernelArea;

        // Pieces of one channel, sized by their im2col block (an upper bound of what a piece fetches).
        long tapsPerPiece = Fitting.Largest(kernelArea, t => BlockIfmapBytes(t) <= IfmapHalf && BlockWeightBytes(t) <= WeightHalf);
        if (tapsPerPiece == 0)
        {
            throw NoReductionStepFits(layerName);
        }

        if (tapsPerPiece == kernelArea)
        {
            // A whole channel's block fits: gather as many channels together as fit, for fewer and larger steps.
            int gathered = (int)MappingPoint.Limit(point.ChannelsPerChunk, Fitting.Largest(G.GroupInChannels,
                c => BlockIfmapBytes(c * kernelArea) <= IfmapHalf && BlockWeightBytes(c * kernelArea) <= WeightHalf));
            return this with
            {
                ChannelsPerChunk = gathered, Chunks = (int)CeilDiv(G.GroupInChannels, gathered), Gathered = true, TapsPerPiece = kernelArea,
            };
        }

        int pieces = (int)CeilDiv(kernelArea, tapsPerPiece);
        return this with
        {
            ChannelsPerChunk = 1, Chunks = checked(G.GroupInChannels * pieces), Gathered = true, TapsPerPiece = tapsPerPiece, PiecesPerChannel = pieces,
        };
    }

    private MappingException NoReductionStepFits(string layerName)
    {
        var parts = new List<string>();
        if (BlockIfmapBytes(1) > IfmapHalf)
        {
            parts.Add(FormattableString.Invariant($"its input ({BlockIfmapBytes(1)} bytes) does not fit half the ifmap buffer ({IfmapHalf} bytes)"));
        }

        if (BlockWeightBytes(1) > WeightHalf)
        {
            parts.Add(FormattableString.Invariant($"its weights ({BlockWeightBytes(1)} bytes) do not fit half the weight buffer ({WeightHalf} bytes)"));
        }

        return new MappingException(string.Create(CultureInfo.InvariantCulture,
            $"layer '{layerName}': even one reduction step of one fold is too large: {string.Join(" and ", parts)}; {Smallest(G, Config, Context).Describe(Context.Buffers)}"));
    }

    /// <summary>The smallest buffers for the smallest tile: one reduction step of one fold (its input column and its
    /// weights' row, in halves of their buffers; a tensor smaller than that is held whole) and one fold's results.</summary>
    public static SmallestTile Smallest(ConvShape g, AcceleratorConfig config, LayerContext context)
    {
        int rows = config.PeArray.Rows;
        int cols = config.PeArray.Cols;
        long wholeIfmap = context.Input.Bytes((long)g.GroupInChannels * g.InHeight * g.InWidth * g.Batch);
        long wholeWeights = BitsToBytes(WeightTileBits(g.GroupFilters, g.Reduction, config, context.Bfp));
        long stepIfmap = context.Input.Bytes(Math.Min(rows, g.Pixels));
        long stepWeights = BitsToBytes(WeightTileBits(Math.Min(cols, g.GroupFilters), 1, config, context.Bfp));
        return new SmallestTile(2 * Math.Min(wholeIfmap, stepIfmap), 2 * Math.Min(wholeWeights, stepWeights), (long)rows * cols * PartialSumBytes);
    }

    /// <summary>Bytes of a fold's im2col block of <paramref name="taps"/> reduction indices (0 when the input is resident).</summary>
    private long BlockIfmapBytes(long taps) => IfmapResident ? 0 : Context.Input.Bytes(Math.Min(ArrayRows, G.Pixels) * taps);

    /// <summary>Bytes of a column fold's weights for <paramref name="taps"/> reduction indices (0 when the weights are resident).</summary>
    private long BlockWeightBytes(long taps) => WeightsResident ? 0 : BitsToBytes(WeightTileBits(Math.Min(ArrayCols, G.GroupFilters), taps, Config, Context.Bfp));

    /// <summary>True when one fold's input rows and one column fold's weights of <paramref name="channels"/> channels fit
    /// half their buffers (a resident tensor always fits).</summary>
    private bool ChannelsFit(int channels, long maxRowsPerFold)
    {
        bool ifmapFits = IfmapResident || Context.Input.Bytes(maxRowsPerFold * G.InWidth * channels) <= IfmapHalf;
        long weightBits = WeightTileBits(Math.Min(ArrayCols, G.GroupFilters), channels * KernelArea, Config, Context.Bfp);
        bool weightsFit = WeightsResident || BitsToBytes(weightBits) <= WeightHalf;
        return ifmapFits && weightsFit;
    }

    /// <summary>Stored bytes of one group's weights.</summary>
    private static long GroupWeightBytes(ConvShape g, AcceleratorConfig config, BfpSettings bfp, WeightMask? mask, int group)
    {
        long reduction = g.Reduction;
        long nonZero = mask?.NonZero(group * g.GroupFilters, (group + 1) * g.GroupFilters, 0, reduction) ?? g.GroupFilters * reduction;
        return BitsToBytes(WeightTileBits(g.GroupFilters, reduction, nonZero, config, bfp));
    }

    /// <summary>The most input rows any band of <paramref name="foldsPerBand"/> row folds reads.</summary>
    private long MaxInputRows(long foldsPerBand)
    {
        long most = 0;
        for (long band = 0; band * foldsPerBand < RowFolds; band++)
        {
            long first = band * foldsPerBand * ArrayRows;
            most = Math.Max(most, G.InputRowsFor(first, Math.Min(G.Pixels, first + (foldsPerBand * ArrayRows)) - 1));
        }

        return most;
    }

    /// <summary>The schedule in one loop order: groups, then column folds and row-fold bands (either outer), then the row
    /// folds of a band, then the K chunks of a fold.</summary>
    /// <param name="withSteps">False: only the tiles, to cost a loop order (the steps are left empty).</param>
    public TileSchedule Build(bool columnFoldsOuter, bool fusedRelu, bool withSteps = true)
    {
        IEnumerable<ScheduleEntry> Entries() => Emit(columnFoldsOuter, fusedRelu, withSteps);
        return new(Entries, EngineKind.PeArray, Describe(columnFoldsOuter), Mask is null ? Totals(columnFoldsOuter, fusedRelu, withSteps, Entries()) : null,
            tiles: () => Emit(columnFoldsOuter, fusedRelu, withSteps: false));
    }

    /// <summary>The schedule's totals from its loop counts (dense weights: no step depends on its group or on which full
    /// column fold it is in), equal to a walk over its entries.</summary>
    /// <remarks>
    /// <para>Every group repeats the first one's tiles and steps (the tile keys start afresh per group). An input tile is
    /// fetched once per (band, chunk) and again per column fold when column folds are outer or K is chunked (its key then
    /// changes with every step); a weight tile once per column fold (and again per band when bands are outer), or per
    /// step when K is chunked. A step depends on its row fold, its chunk and whether its column fold is the last (partial)
    /// one; the first column fold stands for the other full ones.</para>
    /// </remarks>
    private ScheduleTotals Totals(bool columnFoldsOuter, bool fusedRelu, bool withSteps, IEnumerable<ScheduleEntry> entries)
    {
        long groups = G.Groups;
        long bands = CeilDiv(RowFolds, FoldsPerBand);
        var totals = new TotalsCounter();
        if (IfmapResident)
        {
            totals.Ifmap(groups, ResidentIfmapBytes);
        }
        else
        {
            long perBand = checked(groups * (columnFoldsOuter || Chunks > 1 ? ColFolds : 1));
            for (long band = 0; band < bands; band++)
            {
                for (int chunk = 0; chunk < Chunks; chunk++)
                {
                    totals.Ifmap(perBand, IfmapTileBytesOf(new FoldChunk(this, 0, band, 0, band * FoldsPerBand, chunk)));
                }
            }
        }

        if (WeightsResident)
        {
            totals.Weight(groups, GroupWeightBytes(G, Config, Context.Bfp, null, 0));
        }
        else
        {
            long perColumnChunk = checked(groups * (Chunks > 1 ? RowFolds : columnFoldsOuter ? 1 : bands));
            foreach ((long colFold, long times) in FoldClasses.FullAndLast(ColFolds))
            {
                for (int chunk = 0; chunk < Chunks; chunk++)
                {
                    totals.Weight(checked(perColumnChunk * times), WeightTileBytesOf(new FoldChunk(this, 0, 0, colFold, 0, chunk)));
                }
            }
        }

        ComputeStep? last = null;
        if (withSteps)
        {
            long fillDrain = FillDrain;
            foreach ((long colFold, long times) in FoldClasses.FullAndLast(ColFolds))
            {
                for (long rowFold = 0; rowFold < RowFolds; rowFold++)
                {
                    for (int chunk = 0; chunk < Chunks; chunk++)
                    {
                        var fold = new FoldChunk(this, 0, rowFold / FoldsPerBand, colFold, rowFold, chunk);
                        totals.Step(StepOf(fold, WeightTileBytesOf(fold), fillDrain, fusedRelu, columnFoldsOuter, 0, 0), checked(groups * times));
                    }
                }
            }

            var final = new FoldChunk(this, G.Groups - 1, bands - 1, ColFolds - 1, RowFolds - 1, Chunks - 1);
            last = StepOf(final, WeightTileBytesOf(final), fillDrain, fusedRelu, columnFoldsOuter,
                checked((int)(totals.IfmapTiles - 1)), checked((int)(totals.WeightTiles - 1)));
        }

        return totals.Build(entries, last);
    }

    /// <summary>Cycles a fold spends filling and draining the array (its last chunk's).</summary>
    private long FillDrain => FoldTiming.CyclesPerFold(Config, Context.Run.Detail, G.Reduction) - G.Reduction;

    /// <summary>Bytes of the streamed input tile a fold chunk fetches (the input is not resident).</summary>
    private long IfmapTileBytesOf(in FoldChunk fold)
    {
        if (Gathered)
        {
            return PieceIfmapBytes(fold.FirstPixel, fold.RowsUsed, fold.FirstK, fold.Reduction);
        }

        long bandFirstFold = fold.Band * FoldsPerBand;
        long bandEndFold = Math.Min(RowFolds, bandFirstFold + FoldsPerBand);
        long bandFirstPixel = bandFirstFold * ArrayRows;
        long bandLastPixel = Math.Min(G.Pixels, bandEndFold * ArrayRows) - 1;
        return Context.Input.Bytes(G.InputRowsFor(bandFirstPixel, bandLastPixel) * G.InWidth * fold.Channels);
    }

    /// <summary>Bytes of a fold chunk's weights: its columns' filters over its reduction indices.</summary>
    private long WeightTileBytesOf(in FoldChunk fold) =>
        BitsToBytes(WeightTileBits(fold.ColsUsed, fold.Reduction,
            Mask?.NonZero(fold.FirstFilter, fold.FirstFilter + (int)fold.ColsUsed, fold.FirstK, fold.FirstK + fold.Reduction) ?? fold.ColsUsed * fold.Reduction, Config, Context.Bfp));

    /// <summary>The step of one fold chunk.</summary>
    private ComputeStep StepOf(in FoldChunk fold, long tileWeightBytes, long fillDrain, bool fusedRelu, bool columnFoldsOuter, int ifmapTile, int weightTile)
    {
        // A skipping array streams only the reduction steps where some filter of its columns has a non-zero weight;
        // the others cost no cycle, no input read and no conversion.
        long reduction = fold.Reduction;
        long active = Skip ? Mask!.ActiveReduction(fold.FirstFilter, fold.FirstFilter + (int)fold.ColsUsed, fold.FirstK, fold.FirstK + reduction) : reduction;
        long outputs = fold.IsLastChunk ? fold.RowsUsed * fold.ColsUsed : 0;
        long realOperands = G.RealOperands(fold.FirstPixel, fold.FirstPixel + fold.RowsUsed, fold.FirstK, fold.FirstK + reduction) * active / Math.Max(1, reduction);
        return new ComputeStep
        {
            IfmapTile = ifmapTile,
            WeightTile = weightTile,
            ComputeCycles = active + (fold.IsLastChunk ? fillDrain : 0),
            FillDrainCycles = fold.IsLastChunk ? fillDrain : 0,
            Macs = fold.RowsUsed * fold.ColsUsed * active,
            SkippedMacs = fold.RowsUsed * fold.ColsUsed * (reduction - active),
            IfmapReadBytes = Context.Input.Bytes(realOperands),
            WeightReadBytes = tileWeightBytes,
            OutputBytes = Context.Output.Bytes(outputs),
            InputConversions = Context.Conversions(realOperands, outputs),
            OutputConversions = outputs,
            VectorOps = fusedRelu ? outputs : 0,
            Loop = columnFoldsOuter
                ? new LoopCoordinates(ScheduleBuilder.ColumnFoldsOuterLoops, fold.Group, fold.ColFold, fold.Band, fold.RowFold, fold.Chunk)
                : new LoopCoordinates(ScheduleBuilder.PixelBandsOuterLoops, fold.Group, fold.Band, fold.ColFold, fold.RowFold, fold.Chunk),
        };
    }

    private IEnumerable<ScheduleEntry> Emit(bool columnFoldsOuter, bool fusedRelu, bool withSteps)
    {
        var builder = new ScheduleBuilder(this, columnFoldsOuter, fusedRelu, withSteps);
        long bands = CeilDiv(RowFolds, FoldsPerBand);
        for (int group = 0; group < G.Groups; group++)
        {
            builder.StartGroup();
            long outerCount = columnFoldsOuter ? ColFolds : bands;
            long middleCount = columnFoldsOuter ? bands : ColFolds;
            for (long outer = 0; outer < outerCount; outer++)
            {
                for (long middle = 0; middle < middleCount; middle++)
                {
                    long band = columnFoldsOuter ? middle : outer;
                    long colFold = columnFoldsOuter ? outer : middle;
                    long bandFirstFold = band * FoldsPerBand;
                    long bandEndFold = Math.Min(RowFolds, bandFirstFold + FoldsPerBand);
                    for (long rowFold = bandFirstFold; rowFold < bandEndFold; rowFold++)
                    {
                        for (int chunk = 0; chunk < Chunks; chunk++)
                        {
                            builder.Add(new FoldChunk(this, group, band, colFold, rowFold, chunk));
                            for (int i = 0; i < builder.Pending.Count; i++)
                            {
                                yield return builder.Pending[i];
                            }
                        }
                    }
                }
            }
        }
    }

    private string Describe(bool columnFoldsOuter)
    {
        string pieces = !Gathered ? string.Empty
            : PiecesPerChannel > 1 ? string.Create(CultureInfo.InvariantCulture, $" of up to {TapsPerPiece} of one channel's {KernelArea} reduction indices, fetched per fold")
            : string.Create(CultureInfo.InvariantCulture, $" of up to {ChannelsPerChunk} channel(s), fetched per fold");
        return string.Create(CultureInfo.InvariantCulture,
            $"output-stationary {ArrayRows}x{ArrayCols}: {G.Groups} group(s) x {RowFolds} row fold(s) x {ColFolds} column fold(s) x {Chunks} K chunk(s){pieces}, " +
            $"{(columnFoldsOuter ? "column folds" : "row-fold bands")} outer, ifmap {(IfmapResident ? "resident" : $"streamed in bands of {FoldsPerBand} row fold(s)")}, " +
            $"weights {(WeightsResident ? "resident" : "streamed")}");
    }

    /// <summary>Bytes one fold fetches for a gathered chunk of K (a piece of one channel, or whole channels): the input
    /// rows its kernel rows read, or its im2col block, whichever is smaller.</summary>
    private long PieceIfmapBytes(long firstPixel, long pixels, long firstK, long reduction)
    {
        long area = (long)G.KernelHeight * G.KernelWidth;
        long channels = ((firstK + reduction - 1) / area) - (firstK / area) + 1;
        long firstKernelRow = channels > 1 ? 0 : (firstK % area) / G.KernelWidth;
        long lastKernelRow = channels > 1 ? G.KernelHeight - 1 : ((firstK + reduction - 1) % area) / G.KernelWidth;
        long rowBytes = Context.Input.Bytes(G.InputRowsFor(firstPixel, firstPixel + pixels - 1, firstKernelRow, lastKernelRow) * G.InWidth * channels);

        // SCALE-Sim fetches the overhang of its last window like data; natively padding zeros are made, not fetched.
        long blockElements = Context.Run.Counting.PaddingAsData ? pixels * reduction : G.RealOperands(firstPixel, firstPixel + pixels, firstK, firstK + reduction);
        return Math.Min(rowBytes, Context.Input.Bytes(blockElements));
    }

    /// <summary>One K chunk of one fold: where it sits in the loops, and the part of the GEMM it computes.</summary>
    private readonly record struct FoldChunk
    {
        public FoldChunk(OutputStationaryPlan plan, int group, long band, long colFold, long rowFold, int chunk)
        {
            ConvShape g = plan.G;
            long kernelArea = plan.KernelArea;
            int channelChunk = chunk / plan.PiecesPerChannel;
            long piece = chunk % plan.PiecesPerChannel;
            Group = group;
            Band = band;
            ColFold = colFold;
            RowFold = rowFold;
            Chunk = chunk;
            FirstPixel = rowFold * plan.ArrayRows;
            RowsUsed = Math.Min(plan.ArrayRows, g.Pixels - FirstPixel);
            ColsUsed = Math.Min(plan.ArrayCols, g.GroupFilters - (colFold * plan.ArrayCols));
            Channels = Math.Min(plan.ChannelsPerChunk, g.GroupInChannels - (channelChunk * plan.ChannelsPerChunk));
            FirstK = ((long)channelChunk * plan.ChannelsPerChunk * kernelArea) + (piece * plan.TapsPerPiece);
            Reduction = plan.PiecesPerChannel > 1 ? Math.Min(plan.TapsPerPiece, kernelArea - (piece * plan.TapsPerPiece)) : Channels * kernelArea;
            IsLastChunk = chunk == plan.Chunks - 1;
            FirstFilter = (int)((group * g.GroupFilters) + (colFold * plan.ArrayCols));
        }

        public int Group { get; }

        public long Band { get; }

        public long ColFold { get; }

        public long RowFold { get; }

        public int Chunk { get; }

        /// <summary>The fold's first output pixel (across the batch); its pixels are the array rows it uses.</summary>
        public long FirstPixel { get; }

        public long RowsUsed { get; }

        public long ColsUsed { get; }

        /// <summary>Input channels the chunk spans (1 for a piece of one channel).</summary>
        public int Channels { get; }

        /// <summary>The chunk's reduction indices: [FirstK, FirstK + Reduction).</summary>
        public long FirstK { get; }

        public long Reduction { get; }

        /// <summary>The fold's last chunk: its outputs leave the array.</summary>
        public bool IsLastChunk { get; }

        /// <summary>The first filter of the fold's columns, counted over all groups.</summary>
        public int FirstFilter { get; }
    }

    /// <summary>Emits the tiles and steps of one loop order, fold chunk by fold chunk; a tile is fetched again whenever the
    /// tile a step needs differs from the one before it.</summary>
    private sealed class ScheduleBuilder(OutputStationaryPlan plan, bool columnFoldsOuter, bool fusedRelu, bool withSteps)
    {
        private static readonly (long, long, long, long, long) NoTile = (-1, -1, -1, -1, -1);

        /// <summary>The loops of each order, outermost first, as traces name a step's coordinates: row folds are folds of
        /// output pixels (the array's rows), a band the row folds that share one input tile, a chunk the reduction's part
        /// the step streams.</summary>
        public static readonly ImmutableArray<string> ColumnFoldsOuterLoops = ["group", "column_fold", "pixel_band", "row_fold", "channel_chunk"];

        public static readonly ImmutableArray<string> PixelBandsOuterLoops = ["group", "pixel_band", "column_fold", "row_fold", "channel_chunk"];

        private readonly TileNumbers _tiles = new();
        private readonly List<ScheduleEntry> _pending = new(3);

        private readonly long _fillDrain = plan.FillDrain;
        private (long, long, long, long, long) _lastIfmapKey = NoTile;
        private (long, long, long, long, long) _lastWeightKey = NoTile;

        public void StartGroup()
        {
            _lastIfmapKey = NoTile;
            _lastWeightKey = NoTile;
        }

        /// <summary>The entries of the last fold chunk added: at most an input tile, a weight tile and a step.</summary>
        public List<ScheduleEntry> Pending => _pending;

        public void Add(in FoldChunk fold)
        {
            _pending.Clear();
            FetchIfmap(fold);
            long tileWeightBytes = FetchWeights(fold);
            if (withSteps)
            {
                AddStep(fold, tileWeightBytes);
            }
        }

        private void FetchIfmap(in FoldChunk fold)
        {
            (long, long, long, long, long) ifmapKey = plan.IfmapResident ? (fold.Group, -1L, -1L, -1L, -1L)
                : (fold.Group, fold.Band, columnFoldsOuter ? fold.ColFold : -1, fold.Chunk, -1L);
            if (ifmapKey == _lastIfmapKey)
            {
                return;
            }

            _pending.Add(_tiles.Ifmap(plan.IfmapResident ? plan.ResidentIfmapBytes : plan.IfmapTileBytesOf(fold)));
            _lastIfmapKey = ifmapKey;
        }

        /// <returns>The bytes of the fold's weight tile (0 when neither a step nor a new streamed tile needs them).</returns>
        private long FetchWeights(in FoldChunk fold)
        {
            (long, long, long, long, long) weightKey = plan.WeightsResident ? (fold.Group, -1L, -1L, -1L, -1L)
                : plan.Chunks == 1 ? (fold.Group, fold.ColFold, columnFoldsOuter ? -1 : fold.Band, -1L, -1L)
                : (fold.Group, fold.ColFold, fold.RowFold, fold.Chunk, -1L);
            bool newWeightTile = weightKey != _lastWeightKey;
            long tileWeightBytes = withSteps || (newWeightTile && !plan.WeightsResident)
                ? plan.WeightTileBytesOf(fold)
                : 0;
            if (newWeightTile)
            {
                _pending.Add(_tiles.Weight(plan.WeightsResident ? GroupWeightBytes(plan.G, plan.Config, plan.Context.Bfp, plan.Mask, fold.Group) : tileWeightBytes));
                _lastWeightKey = weightKey;
            }

            return tileWeightBytes;
        }

        private void AddStep(in FoldChunk fold, long tileWeightBytes) =>
            _pending.Add(ScheduleEntry.Compute(plan.StepOf(fold, tileWeightBytes, _fillDrain, fusedRelu, columnFoldsOuter, _tiles.LastIfmap, _tiles.LastWeight)));
    }
}
