using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping;

/// <summary>Thrown when a layer cannot be placed on the configured hardware (a tile cannot fit a buffer half).</summary>
public sealed class MappingException(string message) : Exception(message);

/// <summary>Lowers layers onto the accelerator: folds of the PE array, tiles of the buffers, their order.</summary>
/// <remarks>
/// Output-stationary mapping as in SCALE-Sim: every conv group is a GEMM with the output pixels (× batch) on the array
/// rows, the filters on the columns and the reduction K streamed in time. A fold takes <c>T + R + C − 2</c> cycles
/// (T operand rows, R−1 skew, C−1 drain). Tiles: a tensor that fits in half of its buffer is fetched once; otherwise the
/// input rows of each row fold and the filters of each column fold are fetched as they are needed, split along K (by
/// input channel, or in pieces of one channel) when even one fold's operands do not fit. Both loop orders (column folds outer, row folds outer) are
/// costed and the one with less DRAM traffic is used; ties keep SCALE-Sim's order (column folds outer).
/// </remarks>
public static class Mapper
{
    /// <param name="context">What the run decided for the layer (buffers as the layer uses them, BFP formats, counting
    /// conventions, timing detail); null: <see cref="LayerContext.Of"/> the config.</param>
    public static TileSchedule Map(Layer layer, int batch, AcceleratorConfig config, LayerContext? context = null) =>
        MapLayer(layer, batch, config, context ?? LayerContext.Of(config));

    private static TileSchedule MapLayer(Layer layer, int batch, AcceleratorConfig config, LayerContext context) => layer switch
    {
        ConvLayer conv => MapGemm(Geometry.Of(conv, batch, context.Run.Counting.PaddingAsData), conv.FusedRelu, layer.Name, config, context, conv.NonZeroWeights),
        FullyConnectedLayer fc => MapGemm(Geometry.Of(fc, batch), fc.FusedRelu, layer.Name, config, context, fc.NonZeroWeights),
        PoolLayer pool => MapPool(pool, batch, config, context),
        AddLayer add => MapElementwise(add.OutputShape.Elements * batch, inputs: 2, opsPerElement: add.FusedRelu ? 2 : 1, config, context, "residual add"),
        ReluLayer relu => MapElementwise(relu.OutputShape.Elements * batch, inputs: 1, opsPerElement: 1, config, context, "relu"),
        // Every output element is one input element copied once: the inputs together are read once.
        ConcatLayer concat => MapElementwise(concat.OutputShape.Elements * batch, inputs: 1, opsPerElement: 1, config, context, "concat"),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer.Kind, "unknown layer kind"),
    };

    /// <summary>The shape of a conv (or FC as a 1×1 conv on a 1×1 map) as the mapper sees it.</summary>
    internal readonly record struct Geometry(
        int Batch, int InChannels, int InHeight, int InWidth, int OutChannels, int OutHeight, int OutWidth,
        int KernelHeight, int KernelWidth, int StrideHeight, int PadTop, int DilationHeight, int Groups,
        int StrideWidth = 1, int PadLeft = 0, int DilationWidth = 1)
    {
        public int GroupInChannels => InChannels / Groups;

        public int GroupFilters => OutChannels / Groups;

        public long Pixels => (long)OutHeight * OutWidth * Batch;

        /// <summary>K: the reduction length of one output (one group's channels times the kernel window).</summary>
        public long Reduction => (long)GroupInChannels * KernelHeight * KernelWidth;

        /// <summary>True when some window reaches outside the input (into padding).</summary>
        public bool ReadsPadding =>
            PadTop > 0 || PadLeft > 0
            || ((long)(OutHeight - 1) * StrideHeight) - PadTop + ((long)(KernelHeight - 1) * DilationHeight) >= InHeight
            || ((long)(OutWidth - 1) * StrideWidth) - PadLeft + ((long)(KernelWidth - 1) * DilationWidth) >= InWidth;

        /// <summary>The layer as the mapper sees it; with <paramref name="paddingAsData"/> (SCALE-Sim's convention: it has
        /// no padding, its users enlarge the input by hand) the padding is part of the input, so the zeros are fetched and
        /// read like data.</summary>
        public static Geometry Of(ConvLayer c, int batch, bool paddingAsData = false) => paddingAsData
            ? new(batch, c.InputShape.Channels, c.InputShape.Height + c.PadTop + c.PadBottom, c.InputShape.Width + c.PadLeft + c.PadRight,
                c.OutputChannels, c.OutputShape.Height, c.OutputShape.Width, c.KernelHeight, c.KernelWidth, c.StrideHeight, 0,
                c.DilationHeight, c.Groups, c.StrideWidth, 0, c.DilationWidth)
            : new(batch, c.InputShape.Channels, c.InputShape.Height, c.InputShape.Width, c.OutputChannels,
                c.OutputShape.Height, c.OutputShape.Width, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.PadTop,
                c.DilationHeight, c.Groups, c.StrideWidth, c.PadLeft, c.DilationWidth);

        public static Geometry Of(FullyConnectedLayer f, int batch) => new(
            batch, checked((int)f.InputFeatures), 1, 1, f.OutputFeatures, 1, 1, 1, 1, 1, 0, 1, 1);

        /// <summary>Elements of the im2col operand, output pixels [firstPixel, endPixel) by reduction indices [firstK, endK),
        /// that read a real input element: the padding zeros are generated at the array edge, not read from the buffer.</summary>
        /// <remarks>A reduction index is k = channel·Kh·Kw + kernelRow·Kw + kernelColumn. Pixels run along output rows;
        /// within a row every pixel whose window lies inside the input horizontally counts alike, so only the pixels
        /// next to the left and right edges are counted one by one.</remarks>
        public long RealOperands(long firstPixel, long endPixel, long firstK, long endK)
        {
            if (!ReadsPadding)
            {
                return (endPixel - firstPixel) * (endK - firstK);
            }

            // Output columns whose kernel columns all land inside the input: [innerLow, innerHigh].
            long innerLow = CeilDiv(PadLeft, StrideWidth);
            long innerSpan = InWidth - 1 + PadLeft - ((long)(KernelWidth - 1) * DilationWidth);
            long innerHigh = innerSpan < 0 ? -1 : innerSpan / StrideWidth;
            long perItem = (long)OutHeight * OutWidth;
            long area = (long)KernelHeight * KernelWidth;
            int kernelWidth = KernelWidth;
            long total = 0;
            long pixel = firstPixel;
            while (pixel < endPixel)
            {
                // One run of pixels along an output row: columns [column, lastColumn].
                long inItem = pixel % perItem;
                long row = inItem / OutWidth;
                long column = inItem % OutWidth;
                long lastColumn = Math.Min(OutWidth - 1, column + (endPixel - pixel) - 1);
                (long rowLow, long rowHigh) = ValidTaps(row, StrideHeight, PadTop, DilationHeight, KernelHeight, InHeight);
                long innerFirst = Math.Max(column, innerLow);
                long innerLast = Math.Min(lastColumn, innerHigh);
                if (innerFirst <= innerLast)
                {
                    total += (innerLast - innerFirst + 1) * Taps(rowLow, rowHigh, 0, kernelWidth - 1);
                }

                for (long x = column; x <= lastColumn; x++)
                {
                    if (x < innerFirst || x > innerLast)
                    {
                        (long colLow, long colHigh) = ValidTaps(x, StrideWidth, PadLeft, DilationWidth, KernelWidth, InWidth);
                        total += Taps(rowLow, rowHigh, colLow, colHigh);
                    }
                }

                pixel += lastColumn - column + 1;
            }

            return total;

            // Real taps of one pixel (its valid kernel rows and columns) with reduction index in [firstK, endK).
            long Taps(long rowLow, long rowHigh, long colLow, long colHigh) =>
                Below(endK, rowLow, rowHigh, colLow, colHigh) - Below(firstK, rowLow, rowHigh, colLow, colHigh);

            // Real taps with reduction index below k: whole channels, then whole kernel rows, then part of one row.
            long Below(long k, long rowLow, long rowHigh, long colLow, long colHigh)
            {
                long perChannel = Math.Max(0, rowHigh - rowLow + 1) * Math.Max(0, colHigh - colLow + 1);
                long tap = k % area;
                long kernelRow = tap / kernelWidth;
                long rowsBefore = Math.Max(0, Math.Min(rowHigh + 1, kernelRow) - rowLow);
                long inRow = kernelRow >= rowLow && kernelRow <= rowHigh ? Math.Max(0, Math.Min(colHigh + 1, tap % kernelWidth) - colLow) : 0;
                return ((k / area) * perChannel) + (rowsBefore * Math.Max(0, colHigh - colLow + 1)) + inRow;
            }
        }

        /// <summary>The kernel taps [low, high] of output coordinate <paramref name="output"/> that land inside the input.</summary>
        private static (long Low, long High) ValidTaps(long output, int stride, int pad, int dilation, int kernel, int size)
        {
            long origin = (output * stride) - pad;
            long low = origin >= 0 ? 0 : ((-origin) + dilation - 1) / dilation;
            long high = Math.Min(kernel - 1, Math.Max(-1, size - 1 - origin) / dilation);
            if (size - 1 - origin < 0)
            {
                high = -1;
            }

            return (low, high);
        }

        /// <summary>Input rows (of one channel, one batch item) that output pixels [first, last] of a row fold read.</summary>
        public long InputRowsFor(long firstPixel, long lastPixel) => InputRowsFor(firstPixel, lastPixel, 0, KernelHeight - 1);

        /// <summary>Input rows (of one channel, one batch item) that kernel rows [firstKernelRow, lastKernelRow] of output
        /// pixels [first, last] read.</summary>
        public long InputRowsFor(long firstPixel, long lastPixel, long firstKernelRow, long lastKernelRow)
        {
            long perItem = (long)OutHeight * OutWidth;
            long rows = 0;
            for (long item = firstPixel / perItem; item <= lastPixel / perItem; item++)
            {
                long from = Math.Max(firstPixel, item * perItem) - (item * perItem);
                long to = Math.Min(lastPixel, ((item + 1) * perItem) - 1) - (item * perItem);
                long top = Math.Max(0, ((from / OutWidth) * StrideHeight) - PadTop + (firstKernelRow * DilationHeight));
                long bottom = Math.Min(InHeight - 1, ((to / OutWidth) * StrideHeight) - PadTop + (lastKernelRow * DilationHeight));
                rows += Math.Max(0, bottom - top + 1);
            }

            return rows;
        }
    }

    /// <summary>The largest n in [0, max] with fits(n), for a predicate that holds up to some n and not beyond.</summary>
    internal static long LargestFitting(long max, Func<long, bool> fits)
    {
        long low = 0;
        long high = max;
        while (low < high)
        {
            long middle = low + ((high - low + 1) / 2);
            if (fits(middle))
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    /// <param name="mask">The layer's non-zero weights when measured (sparse storage or skipping); null: dense.</param>
    private static TileSchedule MapGemm(Geometry g, bool fusedRelu, string layerName, AcceleratorConfig config, LayerContext context, WeightMask? mask)
    {
        if (config.PeArray.Dataflow == Dataflow.RowStationary)
        {
            if (mask is not null && config.PeArray.ZeroOperands == ZeroOperandPolicy.Skip)
            {
                throw new MappingException(
                    $"layer '{layerName}': zero_operands: skip is modelled for output_stationary only (the array streams K in lock-step there); use gate with row_stationary");
            }

            return RowStationaryMapper.Map(g, fusedRelu, layerName, config, context, mask?.Density);
        }

        if (config.PeArray.Dataflow is Dataflow.WeightStationary or Dataflow.InputStationary)
        {
            if (mask is not null && config.PeArray.ZeroOperands == ZeroOperandPolicy.Skip)
            {
                throw new MappingException(
                    $"layer '{layerName}': zero_operands: skip is modelled for output_stationary only (the array streams K in lock-step there); use gate with {(config.PeArray.Dataflow == Dataflow.WeightStationary ? "weight_stationary" : "input_stationary")}");
            }

            return StationaryMapper.Map(g, fusedRelu, layerName, config, context, mask?.Density);
        }

        if (config.PeArray.Dataflow != Dataflow.OutputStationary)
        {
            throw new MappingException(
                $"layer '{layerName}': dataflow {config.PeArray.Dataflow} is not modelled; supported: output_stationary, weight_stationary, input_stationary, row_stationary");
        }

        long foldOutputBytes = (long)config.PeArray.Rows * config.PeArray.Cols * FeatureMapElementBytes;
        if (foldOutputBytes > context.Buffers.Ofmap.CapacityBytes)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{layerName}': the results of one fold ({foldOutputBytes} bytes) do not fit the ofmap buffer ({context.Buffers.Ofmap.CapacityBytes} bytes)"));
        }

        var plan = GemmPlan.Create(g, layerName, config, context, mask);
        // Both loop orders are costed by their tiles alone; only the cheaper one is built step by step.
        long columnsOuter = Traffic(plan.Build(columnFoldsOuter: true, fusedRelu, withSteps: false));
        long rowsOuter = Traffic(plan.Build(columnFoldsOuter: false, fusedRelu, withSteps: false));
        return plan.Build(columnFoldsOuter: rowsOuter >= columnsOuter, fusedRelu);

        static long Traffic(TileSchedule s) => s.IfmapTileBytes.Sum() + s.WeightTileBytes.Sum();
    }

    /// <summary>Sizes decided once per layer: folds, K chunks, row-fold bands, which tensors stay resident.</summary>
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
    private sealed record GemmPlan(
        Geometry G, AcceleratorConfig Config, LayerContext Context, int ArrayRows, int ArrayCols, long RowFolds, long ColFolds,
        int ChannelsPerChunk, int Chunks, long FoldsPerBand, bool IfmapResident, bool WeightsResident, long ResidentIfmapBytes,
        long ResidentWeightBytes, WeightMask? Mask, bool Gathered = false, long TapsPerPiece = 0, int PiecesPerChannel = 1)
    {
        private bool Skip => Mask is not null && Config.PeArray.ZeroOperands == ZeroOperandPolicy.Skip;

        public static GemmPlan Create(Geometry g, string layerName, AcceleratorConfig config, LayerContext context, WeightMask? mask)
        {
            int rows = config.PeArray.Rows;
            int cols = config.PeArray.Cols;
            long rowFolds = CeilDiv(g.Pixels, rows);
            long colFolds = CeilDiv(g.GroupFilters, cols);
            long kernelArea = (long)g.KernelHeight * g.KernelWidth;
            long ifmapHalf = context.Buffers.Ifmap.HalfCapacityBytes;
            long weightHalf = context.Buffers.Weights.HalfCapacityBytes;
            long rowBytesAllChannels = (long)g.InWidth * g.GroupInChannels * FeatureMapElementBytes;

            long wholeIfmap = (long)g.GroupInChannels * g.InHeight * g.InWidth * g.Batch * FeatureMapElementBytes;
            // Stored size of the largest group's weights (sparse storage shrinks it by the measured non-zeros).
            long wholeWeights = Enumerable.Range(0, g.Groups).Max(group => GroupWeightBytes(g, config, context.Bfp, mask, group));
            bool ifmapResident = wholeIfmap <= ifmapHalf;
            bool weightsResident = wholeWeights <= weightHalf;
            long maxRowsPerFold = ifmapResident ? 0 : MaxInputRows(g, rows, rowFolds, 1);

            // Fits() is monotone in the channel count: find the largest chunk that fits (0 when none does).
            int channelsPerChunk = (int)LargestFitting(g.GroupInChannels, c => Fits((int)c));
            if (channelsPerChunk == 0)
            {
                // Pieces of one channel, sized by their im2col block (an upper bound of what a piece fetches).
                long tapsPerPiece = LargestFitting(kernelArea, t => PieceIfmapBytes(t) <= ifmapHalf && PieceWeightBytes(t) <= weightHalf);
                if (tapsPerPiece == 0)
                {
                    var parts = new List<string>();
                    if (PieceIfmapBytes(1) > ifmapHalf)
                    {
                        parts.Add(FormattableString.Invariant($"its input ({PieceIfmapBytes(1)} bytes) does not fit half the ifmap buffer ({ifmapHalf} bytes)"));
                    }

                    if (PieceWeightBytes(1) > weightHalf)
                    {
                        parts.Add(FormattableString.Invariant($"its weights ({PieceWeightBytes(1)} bytes) do not fit half the weight buffer ({weightHalf} bytes)"));
                    }

                    throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                        $"layer '{layerName}': even one reduction step of one fold is too large: {string.Join(" and ", parts)}; enlarge the buffer"));
                }

                if (tapsPerPiece == kernelArea)
                {
                    // A whole channel's block fits: gather as many channels together as fit, for fewer and larger steps.
                    int gathered = (int)LargestFitting(g.GroupInChannels,
                        c => PieceIfmapBytes(c * kernelArea) <= ifmapHalf && PieceWeightBytes(c * kernelArea) <= weightHalf);
                    return new GemmPlan(g, config, context, rows, cols, rowFolds, colFolds, gathered, (int)CeilDiv(g.GroupInChannels, gathered), 1,
                        ifmapResident, weightsResident, wholeIfmap, wholeWeights, mask, Gathered: true, TapsPerPiece: kernelArea);
                }

                int pieces = (int)CeilDiv(kernelArea, tapsPerPiece);
                return new GemmPlan(g, config, context, rows, cols, rowFolds, colFolds, 1, checked(g.GroupInChannels * pieces), 1, ifmapResident,
                    weightsResident, wholeIfmap, wholeWeights, mask, Gathered: true, TapsPerPiece: tapsPerPiece, PiecesPerChannel: pieces);
            }

            int chunks = (int)CeilDiv(g.GroupInChannels, channelsPerChunk);
            long foldsPerBand = ifmapResident || chunks > 1 ? 1
                : Math.Max(1, LargestFitting(rowFolds, b => MaxInputRows(g, rows, rowFolds, b) * rowBytesAllChannels <= ifmapHalf));
            return new GemmPlan(g, config, context, rows, cols, rowFolds, colFolds, channelsPerChunk, chunks, foldsPerBand, ifmapResident,
                weightsResident, wholeIfmap, wholeWeights, mask, TapsPerPiece: kernelArea);

            long PieceIfmapBytes(long taps) => ifmapResident ? 0 : Math.Min(rows, g.Pixels) * taps * FeatureMapElementBytes;

            long PieceWeightBytes(long taps) => weightsResident ? 0 : BitsToBytes(WeightTileBits(Math.Min(cols, g.GroupFilters), taps, config, context.Bfp));

            bool Fits(int channels)
            {
                bool ifmapFits = ifmapResident || maxRowsPerFold * g.InWidth * channels * FeatureMapElementBytes <= ifmapHalf;
                long weightBits = WeightTileBits(Math.Min(cols, g.GroupFilters), channels * kernelArea, config, context.Bfp);
                bool weightsFit = weightsResident || BitsToBytes(weightBits) <= weightHalf;
                return ifmapFits && weightsFit;
            }
        }

        /// <summary>Stored bytes of one group's weights.</summary>
        private static long GroupWeightBytes(Geometry g, AcceleratorConfig config, BfpSettings bfp, WeightMask? mask, int group)
        {
            long reduction = g.Reduction;
            long nonZero = mask?.NonZero(group * g.GroupFilters, (group + 1) * g.GroupFilters, 0, reduction) ?? g.GroupFilters * reduction;
            return BitsToBytes(WeightTileBits(g.GroupFilters, reduction, nonZero, config, bfp));
        }

        /// <summary>The most input rows any band of <paramref name="foldsPerBand"/> row folds reads.</summary>
        private static long MaxInputRows(Geometry g, int rows, long rowFolds, long foldsPerBand)
        {
            long most = 0;
            for (long band = 0; band * foldsPerBand < rowFolds; band++)
            {
                long first = band * foldsPerBand * rows;
                most = Math.Max(most, g.InputRowsFor(first, Math.Min(g.Pixels, first + (foldsPerBand * rows)) - 1));
            }

            return most;
        }

        /// <param name="withSteps">False: only the tiles, to cost a loop order (the steps are left empty).</param>
        public TileSchedule Build(bool columnFoldsOuter, bool fusedRelu, bool withSteps = true)
        {
            var ifmapTiles = ImmutableArray.CreateBuilder<long>();
            var weightTiles = ImmutableArray.CreateBuilder<long>();
            var steps = ImmutableArray.CreateBuilder<ComputeStep>(withSteps ? (int)Math.Min(int.MaxValue, G.Groups * RowFolds * ColFolds * Chunks) : 0);
            long kernelArea = (long)G.KernelHeight * G.KernelWidth;
            long fillDrain = FoldTiming.CyclesPerFold(Config, Context.Run.Detail, G.Reduction) - G.Reduction;
            long bands = CeilDiv(RowFolds, FoldsPerBand);

            for (int group = 0; group < G.Groups; group++)
            {
                (long, long, long, long, long) lastIfmapKey = (-1, -1, -1, -1, -1);
                (long, long, long, long, long) lastWeightKey = (-1, -1, -1, -1, -1);
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
                            long firstPixel = rowFold * ArrayRows;
                            long rowsUsed = Math.Min(ArrayRows, G.Pixels - firstPixel);
                            long colsUsed = Math.Min(ArrayCols, G.GroupFilters - (colFold * ArrayCols));
                            for (int chunk = 0; chunk < Chunks; chunk++)
                            {
                                int channelChunk = chunk / PiecesPerChannel;
                                long piece = chunk % PiecesPerChannel;
                                int channels = Math.Min(ChannelsPerChunk, G.GroupInChannels - (channelChunk * ChannelsPerChunk));
                                long firstK = ((long)channelChunk * ChannelsPerChunk * kernelArea) + (piece * TapsPerPiece);
                                long reduction = PiecesPerChannel > 1 ? Math.Min(TapsPerPiece, kernelArea - (piece * TapsPerPiece)) : channels * kernelArea;
                                bool lastChunk = chunk == Chunks - 1;

                                // A tile is fetched again whenever the tile a step needs differs from the one before it.
                                var ifmapKey = IfmapResident ? (group, -1L, -1L, -1L, -1L) : (group, band, columnFoldsOuter ? colFold : -1, chunk, -1L);
                                if (ifmapKey != lastIfmapKey)
                                {
                                    long bandFirstPixel = bandFirstFold * ArrayRows;
                                    long bandLastPixel = Math.Min(G.Pixels, bandEndFold * ArrayRows) - 1;
                                    ifmapTiles.Add(IfmapResident ? ResidentIfmapBytes
                                        : Gathered ? PieceIfmapBytes(firstPixel, rowsUsed, firstK, reduction)
                                        : G.InputRowsFor(bandFirstPixel, bandLastPixel) * G.InWidth * channels * FeatureMapElementBytes);
                                    lastIfmapKey = ifmapKey;
                                }

                                var weightKey = WeightsResident ? (group, -1L, -1L, -1L, -1L)
                                    : Chunks == 1 ? (group, colFold, columnFoldsOuter ? -1 : band, -1L, -1L)
                                    : (group, colFold, rowFold, chunk, -1L);
                                int firstFilter = (int)((group * G.GroupFilters) + (colFold * ArrayCols));
                                bool newWeightTile = weightKey != lastWeightKey;
                                long tileWeightBytes = withSteps || (newWeightTile && !WeightsResident)
                                    ? BitsToBytes(WeightTileBits(colsUsed, reduction,
                                        Mask?.NonZero(firstFilter, firstFilter + (int)colsUsed, firstK, firstK + reduction) ?? colsUsed * reduction, Config, Context.Bfp))
                                    : 0;
                                if (newWeightTile)
                                {
                                    weightTiles.Add(WeightsResident ? GroupWeightBytes(G, Config, Context.Bfp, Mask, group) : tileWeightBytes);
                                    lastWeightKey = weightKey;
                                }

                                if (!withSteps)
                                {
                                    continue;
                                }

                                // A skipping array streams only the reduction steps where some filter of its columns has a
                                // non-zero weight; the others cost no cycle, no input read and no conversion.
                                long active = Skip ? Mask!.ActiveReduction(firstFilter, firstFilter + (int)colsUsed, firstK, firstK + reduction) : reduction;
                                long outputs = lastChunk ? rowsUsed * colsUsed : 0;
                                long realOperands = G.RealOperands(firstPixel, firstPixel + rowsUsed, firstK, firstK + reduction) * active / Math.Max(1, reduction);
                                steps.Add(new ComputeStep
                                {
                                    IfmapTile = ifmapTiles.Count - 1,
                                    WeightTile = weightTiles.Count - 1,
                                    ComputeCycles = active + (lastChunk ? fillDrain : 0),
                                    FillDrainCycles = lastChunk ? fillDrain : 0,
                                    Macs = rowsUsed * colsUsed * active,
                                    SkippedMacs = rowsUsed * colsUsed * (reduction - active),
                                    IfmapReadBytes = realOperands * FeatureMapElementBytes,
                                    WeightReadBytes = tileWeightBytes,
                                    OutputBytes = outputs * FeatureMapElementBytes,
                                    InputConversions = realOperands,
                                    OutputConversions = outputs,
                                    VectorOps = fusedRelu ? outputs : 0,
                                });
                            }
                        }
                    }
                }
            }

            string pieces = !Gathered ? string.Empty
                : PiecesPerChannel > 1 ? string.Create(CultureInfo.InvariantCulture, $" of up to {TapsPerPiece} of one channel's {kernelArea} reduction indices, fetched per fold")
                : string.Create(CultureInfo.InvariantCulture, $" of up to {ChannelsPerChunk} channel(s), fetched per fold");
            string description = string.Create(CultureInfo.InvariantCulture,
                $"output-stationary {ArrayRows}x{ArrayCols}: {G.Groups} group(s) x {RowFolds} row fold(s) x {ColFolds} column fold(s) x {Chunks} K chunk(s){pieces}, " +
                $"{(columnFoldsOuter ? "column folds" : "row-fold bands")} outer, ifmap {(IfmapResident ? "resident" : $"streamed in bands of {FoldsPerBand} row fold(s)")}, " +
                $"weights {(WeightsResident ? "resident" : "streamed")}");
            return new TileSchedule(ifmapTiles.ToImmutable(), weightTiles.ToImmutable(), steps.Count == steps.Capacity ? steps.MoveToImmutable() : steps.ToImmutable(), EngineKind.PeArray, description);
        }

        /// <summary>Bytes one fold fetches for a gathered chunk of K (a piece of one channel, or whole channels): the input
        /// rows its kernel rows read, or its im2col block, whichever is smaller.</summary>
        private long PieceIfmapBytes(long firstPixel, long pixels, long firstK, long reduction)
        {
            long area = (long)G.KernelHeight * G.KernelWidth;
            long channels = ((firstK + reduction - 1) / area) - (firstK / area) + 1;
            long firstKernelRow = channels > 1 ? 0 : (firstK % area) / G.KernelWidth;
            long lastKernelRow = channels > 1 ? G.KernelHeight - 1 : ((firstK + reduction - 1) % area) / G.KernelWidth;
            long rowBytes = G.InputRowsFor(firstPixel, firstPixel + pixels - 1, firstKernelRow, lastKernelRow) * G.InWidth * channels * FeatureMapElementBytes;

            // SCALE-Sim fetches the overhang of its last window like data; natively padding zeros are made, not fetched.
            long blockElements = Context.Run.Counting.PaddingAsData ? pixels * reduction : G.RealOperands(firstPixel, firstPixel + pixels, firstK, firstK + reduction);
            return Math.Min(rowBytes, blockElements * FeatureMapElementBytes);
        }
    }

    private static TileSchedule MapPool(PoolLayer pool, int batch, AcceleratorConfig config, LayerContext context)
    {
        // Channels are independent: a step pools a block of whole channel planes of one batch item.
        long planeInBytes = (long)pool.InputShape.Height * pool.InputShape.Width * FeatureMapElementBytes;
        long planeOutputs = (long)pool.OutputShape.Height * pool.OutputShape.Width;
        long half = context.Buffers.Ifmap.HalfCapacityBytes;
        if (planeInBytes > half || planeOutputs * FeatureMapElementBytes > context.Buffers.Ofmap.CapacityBytes)
        {
            return MapPoolByRows(pool, batch, config, context);
        }

        int channelsPerStep = (int)Math.Min(pool.InputShape.Channels, Math.Min(half / planeInBytes, context.Buffers.Ofmap.CapacityBytes / (planeOutputs * FeatureMapElementBytes)));
        long windowOps = (long)pool.KernelHeight * pool.KernelWidth;
        var tiles = ImmutableArray.CreateBuilder<long>();
        var steps = ImmutableArray.CreateBuilder<ComputeStep>();
        for (int item = 0; item < batch; item++)
        {
            for (int c0 = 0; c0 < pool.InputShape.Channels; c0 += channelsPerStep)
            {
                int channels = Math.Min(channelsPerStep, pool.InputShape.Channels - c0);
                long outputs = planeOutputs * channels;
                tiles.Add(planeInBytes * channels);
                steps.Add(VectorStep(tiles.Count - 1, outputs * windowOps, outputs, planeInBytes * channels, config));
            }
        }

        return new TileSchedule(tiles.ToImmutable(), [], steps.ToImmutable(), EngineKind.VectorUnit,
            string.Create(CultureInfo.InvariantCulture, $"vector unit, {config.VectorUnit.Lanes} lanes: {steps.Count} step(s) of up to {channelsPerStep} channel plane(s)"));
    }

    /// <summary>A channel plane too large for half the buffer is pooled in bands of output rows, each fetching the input
    /// rows its windows read (neighbouring bands re-read the rows they share when windows overlap).</summary>
    private static TileSchedule MapPoolByRows(PoolLayer pool, int batch, AcceleratorConfig config, LayerContext context)
    {
        long half = context.Buffers.Ifmap.HalfCapacityBytes;
        long rowBytes = (long)pool.InputShape.Width * FeatureMapElementBytes;
        long outRowBytes = (long)pool.OutputShape.Width * FeatureMapElementBytes;
        long InputRows(int first, int count)
        {
            long top = Math.Max(0, ((long)first * pool.StrideHeight) - pool.PadTop);
            long bottom = Math.Min(pool.InputShape.Height - 1, ((long)(first + count - 1) * pool.StrideHeight) - pool.PadTop + pool.KernelHeight - 1);
            return Math.Max(0, bottom - top + 1);
        }

        // The most input rows any band of `count` output rows reads (bands next to the padding read fewer).
        long MostInputRows(int count)
        {
            long most = 0;
            for (int first = 0; first < pool.OutputShape.Height; first += count)
            {
                most = Math.Max(most, InputRows(first, Math.Min(count, pool.OutputShape.Height - first)));
            }

            return most;
        }

        int rowsPerStep = 0;
        while (rowsPerStep < pool.OutputShape.Height
            && MostInputRows(rowsPerStep + 1) * rowBytes <= half
            && (rowsPerStep + 1) * outRowBytes <= context.Buffers.Ofmap.CapacityBytes)
        {
            rowsPerStep++;
        }

        if (rowsPerStep == 0)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{pool.Name}': the input rows of one output row ({MostInputRows(1) * rowBytes} bytes) do not fit half the ifmap buffer ({half} bytes); enlarge the buffer"));
        }

        long windowOps = (long)pool.KernelHeight * pool.KernelWidth;
        var tiles = ImmutableArray.CreateBuilder<long>();
        var steps = ImmutableArray.CreateBuilder<ComputeStep>();
        for (int plane = 0; plane < batch * pool.InputShape.Channels; plane++)
        {
            for (int first = 0; first < pool.OutputShape.Height; first += rowsPerStep)
            {
                int rows = Math.Min(rowsPerStep, pool.OutputShape.Height - first);
                long bytes = InputRows(first, rows) * rowBytes;
                long outputs = (long)rows * pool.OutputShape.Width;
                tiles.Add(bytes);
                steps.Add(VectorStep(tiles.Count - 1, outputs * windowOps, outputs, bytes, config));
            }
        }

        return new TileSchedule(tiles.ToImmutable(), [], steps.ToImmutable(), EngineKind.VectorUnit,
            string.Create(CultureInfo.InvariantCulture, $"vector unit, {config.VectorUnit.Lanes} lanes: {steps.Count} step(s) of up to {rowsPerStep} output row(s) of one channel plane"));
    }

    private static TileSchedule MapElementwise(long elements, int inputs, int opsPerElement, AcceleratorConfig config, LayerContext context, string what)
    {
        long bytesPerElementIn = (long)inputs * FeatureMapElementBytes;
        long perStep = Math.Min(context.Buffers.Ifmap.HalfCapacityBytes / bytesPerElementIn, context.Buffers.Ofmap.CapacityBytes / FeatureMapElementBytes);
        if (perStep < 1)
        {
            throw new MappingException("the ifmap and ofmap buffers are too small for even one element");
        }

        var tiles = ImmutableArray.CreateBuilder<long>();
        var steps = ImmutableArray.CreateBuilder<ComputeStep>();
        for (long first = 0; first < elements; first += perStep)
        {
            long count = Math.Min(perStep, elements - first);
            tiles.Add(count * bytesPerElementIn);
            steps.Add(VectorStep(tiles.Count - 1, count * opsPerElement, count, count * bytesPerElementIn, config));
        }

        return new TileSchedule(tiles.ToImmutable(), [], steps.ToImmutable(), EngineKind.VectorUnit,
            string.Create(CultureInfo.InvariantCulture, $"vector unit, {config.VectorUnit.Lanes} lanes: {what} in {steps.Count} step(s) of up to {perStep} element(s)"));
    }

    private static ComputeStep VectorStep(int tile, long ops, long outputs, long readBytes, AcceleratorConfig config) => new()
    {
        IfmapTile = tile,
        WeightTile = -1,
        ComputeCycles = CeilDiv(ops, config.VectorUnit.Lanes),
        FillDrainCycles = 0,
        Macs = 0,
        IfmapReadBytes = readBytes,
        WeightReadBytes = 0,
        OutputBytes = outputs * FeatureMapElementBytes,
        InputConversions = 0,
        OutputConversions = 0,
        VectorOps = ops,
    };
}
