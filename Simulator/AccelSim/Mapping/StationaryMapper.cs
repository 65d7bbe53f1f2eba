using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping;

/// <summary>Weight- and input-stationary mapping of a conv group's GEMM, with SCALE-Sim's split of the GEMM.</summary>
/// <remarks>
/// <para>ws: the reduction K goes on the array rows, the filters N on the columns, the output pixels M stream through.
/// is: K on the rows, the output pixels M on the columns, the filters N stream through. A fold holds one R×C block of
/// the stationary operand (weights for ws, the im2col input for is) and streams the whole other operand's K-slice:
/// it takes 2R + C + T − 2 cycles (R to load the block, T streamed rows, R−1 skew, C−1 drain). Folds run column folds
/// outer, row (K) folds inner, as in SCALE-Sim.</para>
/// <para>Tiles: a tensor that fits half its buffer is fetched once. Otherwise the stationary block is fetched per fold
/// and the streamed K-slice per fold, in pieces along T that fit half the buffer; the pieces follow one another without
/// a new fill, because the stationary block stays in place. The input rows a K-slice needs are those of the input
/// channels its reduction indices touch.</para>
/// <para>Partial sums of the K folds: natively they stay in the output buffer until the last K fold (so the streamed
/// range of one pass is limited to what half the output buffer holds, and each pass pays its own fill); with
/// <see cref="CountingConventions.PartialSumsPerFold"/> (SCALE-Sim's count) every fold writes its partial sums out.</para>
/// </remarks>
internal static class StationaryMapper
{
    /// <param name="weightDensity">Measured fraction of non-zero weights, for sparse storage; null: dense.</param>
    public static TileSchedule Map(Mapper.Geometry g, bool fusedRelu, string layerName, AcceleratorConfig config, LayerContext context, double? weightDensity = null)
    {
        bool ws = config.PeArray.Dataflow == Dataflow.WeightStationary;
        bool paddingAsData = context.Run.Counting.PaddingAsData;
        bool psumsPerFold = context.Run.Counting.PartialSumsPerFold;
        int rows = config.PeArray.Rows;
        int cols = config.PeArray.Cols;
        long area = (long)g.KernelHeight * g.KernelWidth;
        long k = g.Reduction;
        long m = g.Pixels;
        long n = g.GroupFilters;
        long spatial = ws ? n : m;
        long streamed = ws ? m : n;
        long rowFolds = CeilDiv(k, rows);
        long colFolds = CeilDiv(spatial, cols);
        long ifmapHalf = context.Buffers.Ifmap.HalfCapacityBytes;
        long weightHalf = context.Buffers.Weights.HalfCapacityBytes;
        long ofmapCapacity = context.Buffers.Ofmap.CapacityBytes;

        // Sparse storage sizes a tile by the layer's measured density (tiles here cut K into array-row passes).
        long WeightBytes(long filters, long reduction) => WeightTileBytes(filters, reduction, weightDensity, config, context.Bfp);

        // Input rows of the channels that reduction indices [k0, k1) touch, for output pixels [p0, p1).
        long IfmapBytes(long p0, long p1, long k0, long k1) =>
            g.InputRowsFor(p0, p1 - 1) * g.InWidth * (((k1 - 1) / area) - (k0 / area) + 1) * FeatureMapElementBytes;

        long wholeIfmap = (long)g.GroupInChannels * g.InHeight * g.InWidth * g.Batch * FeatureMapElementBytes;
        long wholeWeights = WeightBytes(n, k);
        bool ifmapResident = wholeIfmap <= ifmapHalf;
        bool weightsResident = wholeWeights <= weightHalf;
        bool stationaryResident = ws ? weightsResident : ifmapResident;
        bool streamedResident = ws ? ifmapResident : weightsResident;
        long stationaryHalf = ws ? weightHalf : ifmapHalf;
        long streamedHalf = ws ? ifmapHalf : weightHalf;

        long StationaryBytes(long s0, long s1, long k0, long k1) => ws ? WeightBytes(s1 - s0, k1 - k0) : IfmapBytes(s0, s1, k0, k1);
        // With input rows too wide for half the ifmap buffer, ws streams just the fold's im2col block instead (its pixels'
        // windows of the K-slice; natively without padding zeros), as SCALE-Sim always does.
        bool streamBlocks = false;
        long StreamedBytes(long t0, long t1, long k0, long k1) =>
            !ws ? WeightBytes(t1 - t0, k1 - k0)
            : streamBlocks ? (paddingAsData ? (t1 - t0) * (k1 - k0) : g.RealOperands(t0, t1, k0, k1)) * FeatureMapElementBytes
            : IfmapBytes(t0, t1, k0, k1);

        // Natively, the partial sums of one pass (its streamed range × the used columns) wait in half the output buffer.
        long passLength = psumsPerFold || rowFolds == 1 ? streamed
            : Math.Min(streamed, (ofmapCapacity / 2) / ((long)cols * FeatureMapElementBytes));

        // Each step's outputs must fit the output buffer; each streamed piece half its buffer.
        long pieceLength = Math.Min(passLength, ofmapCapacity / ((long)cols * FeatureMapElementBytes));
        if (pieceLength < 1)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{layerName}': one row of results ({cols * FeatureMapElementBytes} bytes) does not fit the ofmap buffer ({ofmapCapacity} bytes)"));
        }

        if (!streamedResident)
        {
            long rowsPiece = Mapper.LargestFitting(pieceLength, length => WorstPiece(length) <= streamedHalf);
            if (rowsPiece < 1 && ws)
            {
                streamBlocks = true;
                rowsPiece = Mapper.LargestFitting(pieceLength, length => length * Math.Min(rows, k) * FeatureMapElementBytes <= streamedHalf);
            }

            pieceLength = rowsPiece;
            if (pieceLength < 1)
            {
                throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                    $"layer '{layerName}': one streamed row of one fold ({(ws ? Math.Min(rows, k) * FeatureMapElementBytes : WorstPiece(1))} bytes) does not fit half the {(ws ? "ifmap" : "weight")} buffer ({streamedHalf} bytes); enlarge the buffer"));
            }
        }

        // Cycles a pass spends besides streaming (load, skew, drain), per pass length: at most two lengths per layer.
        var overheads = new Dictionary<long, long>();
        long Overhead(long length)
        {
            if (!overheads.TryGetValue(length, out long cycles))
            {
                cycles = FoldTiming.CyclesPerFold(config, context.Run.Detail, length) - length;
                overheads[length] = cycles;
            }

            return cycles;
        }

        var ifmapTiles = ImmutableArray.CreateBuilder<long>();
        var weightTiles = ImmutableArray.CreateBuilder<long>();
        var steps = ImmutableArray.CreateBuilder<ComputeStep>();
        long passes = CeilDiv(streamed, passLength);
        for (int group = 0; group < g.Groups; group++)
        {
            (long, long, long, long) lastStationary = (-1, -1, -1, -1);
            (long, long, long, long) lastStreamed = (-1, -1, -1, -1);
            for (long colFold = 0; colFold < colFolds; colFold++)
            {
                long s0 = colFold * cols;
                long s1 = Math.Min(spatial, s0 + cols);
                for (long pass = 0; pass < passes; pass++)
                {
                    long passStart = pass * passLength;
                    long passEnd = Math.Min(streamed, passStart + passLength);
                    long overhead = Overhead(passEnd - passStart);
                    long loadCycles = Math.Min(rows, overhead);
                    for (long rowFold = 0; rowFold < rowFolds; rowFold++)
                    {
                        long k0 = rowFold * rows;
                        long k1 = Math.Min(k, k0 + rows);
                        bool lastK = rowFold == rowFolds - 1;
                        var stationaryKey = stationaryResident ? (group, -1L, -1L, -1L) : (group, colFold, pass, rowFold);
                        if (stationaryKey != lastStationary)
                        {
                            long stationaryBytes = stationaryResident ? (ws ? wholeWeights : wholeIfmap) : StationaryBytes(s0, s1, k0, k1);
                            if (!ws && !stationaryResident && stationaryBytes > stationaryHalf)
                            {
                                // The input rows are too many: gather just the fold's block of the im2col operand (R×C at
                                // most; padding zeros are not fetched natively), as SCALE-Sim always does.
                                stationaryBytes = (paddingAsData ? (s1 - s0) * (k1 - k0) : g.RealOperands(s0, s1, k0, k1)) * FeatureMapElementBytes;
                            }

                            if (stationaryBytes > stationaryHalf)
                            {
                                throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                                    $"layer '{layerName}': the stationary {(ws ? "weights" : "input rows")} of one fold ({stationaryBytes} bytes) do not fit half the {(ws ? "weight" : "ifmap")} buffer ({stationaryHalf} bytes); enlarge the buffer"));
                            }

                            (ws ? weightTiles : ifmapTiles).Add(stationaryBytes);
                            lastStationary = stationaryKey;
                        }

                        for (long t0 = passStart; t0 < passEnd; t0 += pieceLength)
                        {
                            long t1 = Math.Min(passEnd, t0 + pieceLength);
                            bool first = t0 == passStart;
                            bool last = t1 == passEnd;
                            var streamedKey = streamedResident ? (group, -1L, -1L, -1L) : (group, colFold, rowFold, t0);
                            if (streamedKey != lastStreamed)
                            {
                                (ws ? ifmapTiles : weightTiles).Add(streamedResident ? (ws ? wholeIfmap : wholeWeights) : StreamedBytes(t0, t1, k0, k1));
                                lastStreamed = streamedKey;
                            }

                            long length = t1 - t0;
                            long usedCols = s1 - s0;
                            long outputs = length * usedCols;
                            bool writes = lastK || psumsPerFold;

                            // ws streams input rows (pixels t0..t1) into the array; is holds pixels s0..s1 and loads them once.
                            long ifmapElements = ws ? g.RealOperands(t0, t1, k0, k1) : first ? g.RealOperands(s0, s1, k0, k1) : 0;
                            long weightBytes = ws ? (first ? WeightBytes(usedCols, k1 - k0) : 0) : WeightBytes(length, k1 - k0);
                            long fillDrain = (first ? loadCycles : 0) + (last ? overhead - loadCycles : 0);
                            steps.Add(new ComputeStep
                            {
                                IfmapTile = ifmapTiles.Count - 1,
                                WeightTile = weightTiles.Count - 1,
                                ComputeCycles = length + fillDrain,
                                FillDrainCycles = fillDrain,
                                Macs = length * usedCols * (k1 - k0),
                                IfmapReadBytes = ifmapElements * FeatureMapElementBytes,
                                WeightReadBytes = weightBytes,
                                OutputBytes = writes ? outputs * FeatureMapElementBytes : 0,
                                InputConversions = ifmapElements,
                                OutputConversions = writes ? outputs : 0,
                                VectorOps = fusedRelu && lastK ? outputs : 0,
                            });
                        }
                    }
                }
            }
        }

        string name = ws ? "weight-stationary" : "input-stationary";
        string streamedHow = streamedResident ? "resident"
            : string.Create(CultureInfo.InvariantCulture, $"streamed in pieces of {pieceLength}{(streamBlocks ? " (im2col blocks)" : string.Empty)}");
        string psums = psumsPerFold ? ", partial sums written per fold (SCALE-Sim)" : string.Empty;
        string description = string.Create(CultureInfo.InvariantCulture,
            $"{name} {rows}x{cols}: {g.Groups} group(s) x {colFolds} column fold(s) x {rowFolds} K fold(s) x {passes} pass(es) of {passLength} streamed row(s), {(ws ? "weights" : "ifmap")} {(stationaryResident ? "resident" : "loaded per fold")}, {(ws ? "ifmap" : "weights")} {streamedHow}{psums}");
        return new TileSchedule(ifmapTiles.ToImmutable(), weightTiles.ToImmutable(), steps.ToImmutable(), EngineKind.PeArray, description);

        // The largest streamed piece of `length` rows over every K fold and every piece position. Input rows scale with
        // the channels a K-slice touches; a weight piece depends only on the slice length, the first one being the longest.
        long WorstPiece(long length)
        {
            if (!ws)
            {
                return WeightBytes(length, Math.Min(rows, k));
            }

            long channels = 0;
            for (long rowFold = 0; rowFold < rowFolds; rowFold++)
            {
                long k0 = rowFold * rows;
                channels = Math.Max(channels, ((Math.Min(k, k0 + rows) - 1) / area) - (k0 / area) + 1);
            }

            long most = 0;
            for (long t0 = 0; t0 < streamed; t0 += length)
            {
                most = Math.Max(most, g.InputRowsFor(t0, Math.Min(streamed, t0 + length) - 1));
            }

            return most * g.InWidth * channels * FeatureMapElementBytes;
        }
    }
}
