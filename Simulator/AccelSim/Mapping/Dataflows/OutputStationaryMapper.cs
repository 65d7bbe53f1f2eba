using System.Globalization;
using AccelSim.Hardware;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping.Dataflows;

/// <summary>Output-stationary mapping as in SCALE-Sim.</summary>
/// <remarks>
/// Every conv group is a GEMM with the output pixels (× batch) on the array rows, the filters on the columns and the
/// reduction K streamed in time. A fold takes <c>T + R + C − 2</c> cycles (T operand rows, R−1 skew, C−1 drain). Tiles:
/// a tensor that fits in half of its buffer is fetched once; otherwise the input rows of each row fold and the filters of
/// each column fold are fetched as they are needed, split along K (by input channel, or in pieces of one channel) when
/// even one fold's operands do not fit (<see cref="OutputStationaryPlan"/>). Both loop orders (column folds outer, row
/// folds outer) are costed and the one with less DRAM traffic is used; ties keep SCALE-Sim's order (column folds outer).
/// The only dataflow that skips zero operands: its array streams K in lock-step.
/// </remarks>
internal sealed class OutputStationaryMapper : IDataflowMapper
{
    public Dataflow Dataflow => Dataflow.OutputStationary;

    public TileSchedule Map(GemmLayer layer, AcceleratorConfig config, LayerContext context, MappingPoint point)
    {
        long foldOutputBytes = (long)config.PeArray.Rows * config.PeArray.Cols * PartialSumBytes;
        if (foldOutputBytes > context.Buffers.Ofmap.CapacityBytes)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{layer.Name}': the results of one fold ({foldOutputBytes} bytes) do not fit the ofmap buffer ({context.Buffers.Ofmap.CapacityBytes} bytes); {OutputStationaryPlan.Smallest(layer.Shape, config, context).Describe(context.Buffers)}"));
        }

        var plan = OutputStationaryPlan.Create(layer, config, context, point);
        return plan.Build(columnFoldsOuter: point.ColumnFoldsOuter ?? ColumnFoldsOuter(plan, layer), layer.FusedRelu);
    }

    /// <summary>Both loop orders, the chunk size (up to two halvings) and the band size (up to two halvings).</summary>
    public IEnumerable<MappingPoint> Space(GemmLayer layer, AcceleratorConfig config, LayerContext context)
    {
        var plan = OutputStationaryPlan.Create(layer, config, context, MappingPoint.Heuristic);
        bool heuristicOrder = ColumnFoldsOuter(plan, layer);
        return from order in new bool?[] { null, !heuristicOrder }
               from band in MappingPoint.Below(plan.FoldsPerBand, 2)
               from channels in MappingPoint.Below(plan.Gathered && plan.PiecesPerChannel > 1 ? 1 : plan.ChannelsPerChunk, 2)
               select new MappingPoint { ColumnFoldsOuter = order, FoldsPerBand = band, ChannelsPerChunk = channels };
    }

    /// <summary>The heuristic's loop order: both are costed by their tiles alone, the one with less DRAM traffic wins,
    /// column folds outer on a tie (SCALE-Sim's order).</summary>
    private static bool ColumnFoldsOuter(OutputStationaryPlan plan, GemmLayer layer)
    {
        long columnsOuter = Traffic(plan.Build(columnFoldsOuter: true, layer.FusedRelu, withSteps: false));
        long rowsOuter = Traffic(plan.Build(columnFoldsOuter: false, layer.FusedRelu, withSteps: false));
        return rowsOuter >= columnsOuter;

        static long Traffic(TileSchedule s) => checked(s.IfmapTileBytes.TotalBytes + s.WeightTileBytes.TotalBytes);
    }
}
