using System.Globalization;
using AccelSim.Hardware;

namespace AccelSim.Mapping.Dataflows;

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
/// partial sum but an output's first); final outputs leave once (<see cref="RowStationaryPlan"/>).</para>
/// </remarks>
internal sealed class RowStationaryMapper : IDataflowMapper
{
    /// <summary>Filter weights a PE's register file holds: Eyeriss's filter scratchpad of 224 16-bit entries.</summary>
    public const int FilterScratchpadEntries = 224;

    public Dataflow Dataflow => Dataflow.RowStationary;

    public TileSchedule Map(GemmLayer layer, AcceleratorConfig config, LayerContext context, MappingPoint point)
    {
        layer.RefuseZeroSkipping(config, "row_stationary");
        return new RowStationaryPlan(layer, config, context, point).Build(layer.FusedRelu);
    }

    /// <summary>Batch items per tile (all, or half), strip rows, filters per block and channels per chunk: the
    /// heuristic's sizes and up to two halvings of each.</summary>
    public IEnumerable<MappingPoint> Space(GemmLayer layer, AcceleratorConfig config, LayerContext context)
    {
        MappingPoint chosen = new RowStationaryPlan(layer, config, context, MappingPoint.Heuristic).Chosen;
        return from items in MappingPoint.Below(chosen.ItemsPerBlock!.Value, 1)
               from strip in MappingPoint.Below(chosen.StripRows!.Value, 2)
               from filters in MappingPoint.Below(chosen.FiltersPerBlock!.Value, 2)
               from channels in MappingPoint.Below(chosen.ChannelsPerChunk!.Value, 2)
               select new MappingPoint { ItemsPerBlock = items, StripRows = strip, FiltersPerBlock = filters, ChannelsPerChunk = channels };
    }

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
    /// <exception cref="MappingException">The PE-level model would simulate more than <see cref="FoldTiming.MaxPeLevelWork"/> PE-cycles.</exception>
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
