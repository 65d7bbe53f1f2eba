using AccelSim.Hardware;

namespace AccelSim.Mapping.Dataflows;

/// <summary>Maps a conv or FC layer's GEMM onto the PE array with one dataflow: the folds of the array, the tiles the
/// buffers fetch and the order they run in.</summary>
/// <remarks>
/// Contract: <see cref="Map"/> is a pure function of its arguments (no state is kept between calls, so one instance
/// serves every layer and every thread); it does not change the layer, the config or the context; it returns a schedule whose steps
/// cover every MAC of every group exactly once; and it throws <see cref="MappingException"/> when the layer cannot be
/// placed on this hardware (a tile does not fit its buffer, or an option this dataflow does not model is asked for).
/// </remarks>
internal interface IDataflowMapper
{
    /// <summary>The <c>pe_array.dataflow</c> this mapper implements: its key in <see cref="Mapper"/>'s table.</summary>
    Dataflow Dataflow { get; }

    /// <param name="context">What the run decided for the layer: the buffers as it uses them, its BFP formats, the
    /// counting conventions and timing detail (read these from the context, never from the config).</param>
    /// <param name="point">The point of the mapping space to build (<see cref="MappingPoint.Heuristic"/>: the
    /// dataflow's own choices).</param>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware with this dataflow.</exception>
    TileSchedule Map(GemmLayer layer, AcceleratorConfig config, LayerContext context, MappingPoint point);

    /// <summary>The points of this dataflow's mapping space for the layer, <see cref="MappingPoint.Heuristic"/> first;
    /// each one maps (the heuristic's tiles fit, and every point only shrinks them).</summary>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware with this dataflow.</exception>
    IEnumerable<MappingPoint> Space(GemmLayer layer, AcceleratorConfig config, LayerContext context);
}
