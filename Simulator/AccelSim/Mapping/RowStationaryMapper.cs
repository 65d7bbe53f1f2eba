using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping;

/// <summary>Row-stationary mapping (Eyeriss) of a conv group: 1-D row convolutions on logical PE sets, replicated.</summary>
/// <remarks>
/// <para>A unit of work is one batch item, one filter and q input channels: q 2-D convolutions of one channel with one
/// filter channel, summed. Its logical set is R × E PEs (PE(i, j) keeps filter row i and makes output row j's
/// contribution of that row). On an R_arr × C_arr array: the filter rows are split into passes of at most R_arr rows
/// (their psums meet in the output buffer), the output rows into strips of at most C_arr (fewer when one input channel's
/// rows for a strip would not fit half the ifmap buffer), and a set of r × e PEs is replicated
/// floor(R_arr / r) × floor(C_arr / e) times. The replicas take consecutive units (batch item, then channel group, then
/// filter fastest, so replicas that share ifmap rows get them by one multicast read) and run in lock-step, so a pass of
/// the array takes <see cref="RowStationaryPass.Cycles"/> whatever the units. A PE works for one filter (p = 1) on q
/// channels per pass, accumulating their psums in its register file (<see cref="ChannelsPerPe"/>).</para>
/// <para>Loops: group, strip, filter block, filter-row pass, channel chunk; a step is all the array passes of one
/// (strip, filter block, row pass, chunk). A filter block is as many filters as the strip's outputs for them fit half the
/// output buffer (where their psums accumulate across row passes and chunks); a chunk is as many channels as their input
/// rows (all batch items) fit half the ifmap buffer and their filter rows half the weight buffer. A tensor that fits half
/// its buffer is fetched once. Every unit's output rows are added into the output buffer (a read and a write of each
/// partial sum but an output's first); final outputs leave once.</para>
/// </remarks>
internal static class RowStationaryMapper
{
    /// <param name="weightDensity">Measured fraction of non-zero weights, for sparse storage; null: dense.</param>
    public static TileSchedule Map(Mapper.Geometry g, bool fusedRelu, string layerName, AcceleratorConfig config, LayerContext context, double? weightDensity = null)
    {
        int arrayRows = config.PeArray.Rows;
        int arrayCols = config.PeArray.Cols;
        int r = g.KernelHeight;
        int e = g.OutHeight;
        int f = g.OutWidth;
        long n = g.Batch;
        int rowPasses = (int)CeilDiv(r, arrayRows);
        long ifmapHalf = context.Buffers.Ifmap.HalfCapacityBytes;
        long weightHalf = context.Buffers.Weights.HalfCapacityBytes;
        long psumHalf = context.Buffers.Ofmap.CapacityBytes / 2;
        long wholeIfmap = (long)g.GroupInChannels * g.InHeight * g.InWidth * n * FeatureMapElementBytes;
        bool ifmapResident = wholeIfmap <= ifmapHalf;

        // A strip is at most C_arr output rows, fewer when one channel's input rows for it (all batch items, the span of
        // the first filter-row pass) would not fit half the ifmap buffer.
        long StripInputRows(long rows) => Math.Min(g.InHeight, ((rows - 1) * g.StrideHeight) + ((long)(Math.Min(arrayRows, r) - 1) * g.DilationHeight) + 1);
        int widestStrip = ifmapResident ? Math.Min(e, arrayCols)
            : (int)Math.Max(1, Mapper.LargestFitting(Math.Min(e, arrayCols), rows => StripInputRows(rows) * g.InWidth * n * FeatureMapElementBytes <= ifmapHalf));
        int strips = (int)CeilDiv(e, widestStrip);

        RowStationaryPass Pass(int rowPass, int strip) => new(
            Math.Min(arrayRows, r - (rowPass * arrayRows)), g.KernelWidth, Math.Min(widestStrip, e - (strip * widestStrip)), f,
            g.StrideHeight, g.StrideWidth, g.DilationHeight, g.DilationWidth);

        // Sparse storage sizes a tile by the layer's measured density (tiles cut the filters into rows and channels).
        long WeightBytes(long filters, long channels, int filterRows) =>
            WeightTileBytes(filters, channels * filterRows * g.KernelWidth, weightDensity, config, context.Bfp);

        long wholeWeights = WeightBytes(g.GroupFilters, g.GroupInChannels, r);
        bool weightsResident = wholeWeights <= weightHalf;

        // Distinct input rows (inside the input) a set of strip s, row pass p reads; and the real columns of a streamed row.
        var rowsRead = new long[strips, rowPasses];
        long mostRows = 0;
        for (int strip = 0; strip < strips; strip++)
        {
            for (int rowPass = 0; rowPass < rowPasses; rowPass++)
            {
                RowStationaryPass pass = Pass(rowPass, strip);
                var rows = new HashSet<long>();
                for (int j = 0; j < pass.OutRows; j++)
                {
                    for (int i = 0; i < pass.FilterRows; i++)
                    {
                        long row = ((long)((strip * widestStrip) + j) * g.StrideHeight) - g.PadTop + ((long)((rowPass * arrayRows) + i) * g.DilationHeight);
                        if (row >= 0 && row < g.InHeight)
                        {
                            rows.Add(row);
                        }
                    }
                }

                rowsRead[strip, rowPass] = rows.Count;
                mostRows = Math.Max(mostRows, rows.Count);
            }
        }

        int stream = Pass(0, 0).StreamLength;
        long realColumns = Math.Max(0, Math.Min(stream - 1, g.InWidth - 1 + g.PadLeft) - Math.Max(0, g.PadLeft) + 1);

        long filtersPerBlock = Math.Min(g.GroupFilters, psumHalf / ((long)widestStrip * f * n * FeatureMapElementBytes));
        if (filtersPerBlock < 1)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{layerName}': one filter's output rows of a {widestStrip}-row strip ({(long)widestStrip * f * n * FeatureMapElementBytes} bytes) do not fit half the ofmap buffer ({psumHalf} bytes); enlarge the buffer"));
        }

        int firstPassRows = Math.Min(arrayRows, r);
        if (!weightsResident)
        {
            filtersPerBlock = Mapper.LargestFitting(filtersPerBlock, m => WeightBytes(m, 1, firstPassRows) <= weightHalf);
        }

        long channelsPerChunk = Mapper.LargestFitting(g.GroupInChannels, c =>
            (ifmapResident || mostRows * g.InWidth * c * n * FeatureMapElementBytes <= ifmapHalf)
            && (weightsResident || WeightBytes(filtersPerBlock, c, firstPassRows) <= weightHalf));
        if (filtersPerBlock < 1 || channelsPerChunk < 1)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{layerName}': the input rows of one channel of one strip ({mostRows * g.InWidth * n * FeatureMapElementBytes} of {ifmapHalf} bytes) " +
                $"or one filter's rows of one channel ({WeightBytes(1, 1, firstPassRows)} of {weightHalf} bytes) do not fit half a buffer; enlarge the buffers"));
        }

        long filterBlocks = CeilDiv(g.GroupFilters, filtersPerBlock);
        long chunks = CeilDiv(g.GroupInChannels, channelsPerChunk);

        // Cycles of a pass per shape: a few shapes per layer (the last strip, the last row pass, a last chunk's q).
        var passCycles = new Dictionary<RowStationaryPass, long>();
        long Cycles(RowStationaryPass pass)
        {
            if (!passCycles.TryGetValue(pass, out long cycles))
            {
                cycles = PassCycles(pass, config, context.Run.Detail);
                passCycles[pass] = cycles;
            }

            return cycles;
        }

        var ifmapTiles = ImmutableArray.CreateBuilder<long>();
        var weightTiles = ImmutableArray.CreateBuilder<long>();
        var steps = ImmutableArray.CreateBuilder<ComputeStep>();
        long totalPasses = 0;
        RowStationaryPass? firstPass = null;
        for (int group = 0; group < g.Groups; group++)
        {
            (long, long, long, long) lastIfmap = (-1, -1, -1, -1);
            (long, long, long, long) lastWeights = (-1, -1, -1, -1);
            for (int strip = 0; strip < strips; strip++)
            {
                for (long block = 0; block < filterBlocks; block++)
                {
                    long filters = Math.Min(filtersPerBlock, g.GroupFilters - (block * filtersPerBlock));
                    for (int rowPass = 0; rowPass < rowPasses; rowPass++)
                    {
                        RowStationaryPass rows = Pass(rowPass, strip);
                        long replicas = rows.Replicas(arrayRows, arrayCols);
                        for (long chunk = 0; chunk < chunks; chunk++)
                        {
                            long channels = Math.Min(channelsPerChunk, g.GroupInChannels - (chunk * channelsPerChunk));
                            int q = ChannelsPerPe(channels, filters * n, replicas, g.KernelWidth);
                            RowStationaryPass pass = rows with { Channels = q };
                            firstPass ??= pass;
                            var ifmapKey = ifmapResident ? (group, -1L, -1L, -1L) : (group, strip, rowPass, chunk);
                            if (ifmapKey != lastIfmap)
                            {
                                ifmapTiles.Add(ifmapResident ? wholeIfmap : rowsRead[strip, rowPass] * g.InWidth * channels * n * FeatureMapElementBytes);
                                lastIfmap = ifmapKey;
                            }

                            long tileWeightBytes = WeightBytes(filters, channels, pass.FilterRows);
                            var weightKey = weightsResident ? (group, -1L, -1L, -1L) : (group, block, rowPass, chunk);
                            if (weightKey != lastWeights)
                            {
                                weightTiles.Add(weightsResident ? wholeWeights : tileWeightBytes);
                                lastWeights = weightKey;
                            }

                            long runs = n * (channels / q);
                            long units = filters * runs;
                            long passes = CeilDiv(units, replicas);
                            totalPasses += passes;
                            long cycles = Cycles(pass);
                            long pes = (long)pass.FilterRows * pass.OutRows;
                            long ifmapElements = MulticastReads(filters, runs, replicas) * q * rowsRead[strip, rowPass] * realColumns;
                            bool last = rowPass == rowPasses - 1 && chunk == chunks - 1;
                            long outputs = last ? filters * n * pass.OutRows * f : 0;

                            // Each unit's output rows join their outputs in the output buffer; all but an output's first
                            // contribution read the stored partial sum and write the new one.
                            long firstContributions = rowPass == 0 && chunk == 0 ? filters * n : 0;
                            long psumBytes = (units - firstContributions) * pass.OutRows * f * FeatureMapElementBytes;
                            steps.Add(new ComputeStep
                            {
                                IfmapTile = ifmapTiles.Count - 1,
                                WeightTile = weightTiles.Count - 1,
                                ComputeCycles = passes * cycles,
                                FillDrainCycles = passes * (cycles - pass.MacsPerPe),
                                Macs = units * pes * pass.MacsPerPe,
                                IfmapReadBytes = ifmapElements * FeatureMapElementBytes,

                                // Each unit reads its filter rows once: the block's rows once per batch item.
                                WeightReadBytes = tileWeightBytes * n,
                                OutputBytes = outputs * FeatureMapElementBytes,
                                PartialSumBytes = psumBytes,
                                InputConversions = ifmapElements,
                                OutputConversions = outputs,
                                VectorOps = fusedRelu ? outputs : 0,
                                RegisterFileAccesses = units * pes * pass.RegisterFileAccessesPerPe,
                            });
                        }
                    }
                }
            }
        }

        RowStationaryPass first = firstPass!.Value;
        string description = string.Create(CultureInfo.InvariantCulture,
            $"row-stationary {arrayRows}x{arrayCols}: {g.Groups} group(s) x {strips} strip(s) of up to {widestStrip} output row(s) x {filterBlocks} filter block(s) x {rowPasses} filter-row pass(es) x {chunks} channel chunk(s); " +
            $"sets of {first.FilterRows}x{first.OutRows} PEs, {first.Replicas(arrayRows, arrayCols)} side by side, {first.Channels} channel(s) per PE, {totalPasses} array pass(es), the first {Cycles(first)} cycles; " +
            $"ifmap {(ifmapResident ? "resident" : "streamed")}, weights {(weightsResident ? "resident" : "streamed")}");
        return new TileSchedule(ifmapTiles.ToImmutable(), weightTiles.ToImmutable(), steps.ToImmutable(), EngineKind.PeArray, description);
    }

    /// <summary>Filter weights a PE's register file holds: Eyeriss's filter scratchpad of 224 16-bit entries.</summary>
    public const int FilterScratchpadEntries = 224;

    /// <summary>q: the most channels of a chunk a PE convolves in one pass (their psums add up in its register file, not
    /// in the output buffer), such that q divides the chunk, q·S weights fit the filter scratchpad, and the units left
    /// (filters × items × chunk / q) still fill every replica of the array.</summary>
    internal static int ChannelsPerPe(long channels, long filterItems, long replicas, int taps)
    {
        for (long q = Math.Min(channels, FilterScratchpadEntries / Math.Max(1, taps)); q > 1; q--)
        {
            if (channels % q == 0 && filterItems * (channels / q) >= replicas)
            {
                return (int)q;
            }
        }

        return 1;
    }

    /// <summary>Ifmap row sets read in a step: units run filter-fastest, so the replicas of a pass that share a batch item
    /// and channel receive its rows by one multicast read; a pass reads once per (item, channel) it touches.</summary>
    /// <param name="filters">Units per (item, channel): a run of this length in unit order.</param>
    /// <param name="runs">(item, channel) pairs of the step.</param>
    /// <param name="replicas">Units per array pass.</param>
    internal static long MulticastReads(long filters, long runs, long replicas)
    {
        long reads = 0;
        for (long run = 0; run < runs; run++)
        {
            long first = run * filters;
            reads += ((first + filters - 1) / replicas) - (first / replicas) + 1;
        }

        return reads;
    }

    /// <summary>Cycles of one array pass: the closed form, or the literal PE model when the run asks for it.</summary>
    public static long PassCycles(RowStationaryPass pass, AcceleratorConfig config, TimingDetail detail)
    {
        if (detail != TimingDetail.PeLevel)
        {
            return pass.Cycles;
        }

        long work = (long)config.PeArray.Rows * config.PeArray.Cols * (pass.Cycles + pass.StreamLength);
        if (work > FoldTiming.MaxPeLevelWork)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"the PE-level model would simulate {work:N0} PE-cycles for one row-stationary pass; it is limited to {FoldTiming.MaxPeLevelWork:N0}: use the closed form (--detail fold)"));
        }

        return RowStationaryPeModel.PassCycles(pass, config.PeArray.Rows, config.PeArray.Cols);
    }
}
