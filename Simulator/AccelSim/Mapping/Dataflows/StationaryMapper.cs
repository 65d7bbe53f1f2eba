using AccelSim.Hardware;

namespace AccelSim.Mapping.Dataflows;

/// <summary>Weight- and input-stationary mapping of a conv group's GEMM, with SCALE-Sim's split of the GEMM: one
/// algorithm, the two dataflows differing only in which operand stays in the array (<see cref="StationaryPlan"/>).</summary>
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
/// <param name="weightsStationary">True: the weights stay (ws); false: the input stays (is).</param>
internal abstract class StationaryMapper(bool weightsStationary) : IDataflowMapper
{
    public abstract Dataflow Dataflow { get; }

    public TileSchedule Map(GemmLayer layer, AcceleratorConfig config, LayerContext context, MappingPoint point)
    {
        layer.RefuseZeroSkipping(config, weightsStationary ? "weight_stationary" : "input_stationary");
        return new StationaryPlan(layer, config, context, weightsStationary, point).Build(layer.FusedRelu);
    }

    /// <summary>The pass length and the piece length: the heuristic's and up to three halvings of each.</summary>
    public IEnumerable<MappingPoint> Space(GemmLayer layer, AcceleratorConfig config, LayerContext context)
    {
        MappingPoint chosen = new StationaryPlan(layer, config, context, weightsStationary, MappingPoint.Heuristic).Chosen;
        return from pass in MappingPoint.Below(chosen.StreamedPerPass!.Value, 3)
               from piece in MappingPoint.Below(chosen.StreamedPerPiece!.Value, 3)
               select new MappingPoint { StreamedPerPass = pass, StreamedPerPiece = piece };
    }
}

/// <summary>Weight-stationary: the weights stay in the array, the output pixels stream through.</summary>
internal sealed class WeightStationaryMapper() : StationaryMapper(weightsStationary: true)
{
    public override Dataflow Dataflow => Dataflow.WeightStationary;
}

/// <summary>Input-stationary: the im2col input stays in the array, the filters stream through.</summary>
internal sealed class InputStationaryMapper() : StationaryMapper(weightsStationary: false)
{
    public override Dataflow Dataflow => Dataflow.InputStationary;
}
