using System.Collections.Frozen;
using AccelSim.Hardware;
using AccelSim.Mapping.Dataflows;
using AccelSim.Workloads;

namespace AccelSim.Mapping;

/// <summary>Thrown when a layer cannot be placed on the configured hardware (a tile cannot fit a buffer half).</summary>
public sealed class MappingException(string message) : Exception(message);

/// <summary>Lowers layers onto the accelerator: folds of the PE array, tiles of the buffers, their order.</summary>
/// <remarks>
/// Conv and FC layers are GEMMs on the PE array, mapped by the mapper of the configured <see cref="Dataflow"/>, one per
/// dataflow, chosen from a table (<see cref="OutputStationaryMapper"/>, <see cref="WeightStationaryMapper"/>,
/// <see cref="InputStationaryMapper"/>, <see cref="RowStationaryMapper"/>). Pooling, residual adds, ReLU and concat run
/// on the vector unit (<see cref="VectorUnitMapper"/>).
/// </remarks>
public static class Mapper
{
    /// <summary>The dataflow mappers by the dataflow they implement (stateless: shared by every layer and thread).</summary>
    private static readonly FrozenDictionary<Dataflow, IDataflowMapper> Dataflows = new IDataflowMapper[]
    {
        new OutputStationaryMapper(),
        new WeightStationaryMapper(),
        new InputStationaryMapper(),
        new RowStationaryMapper(),
    }.ToFrozenDictionary(mapper => mapper.Dataflow);

    /// <summary>The schedule of <paramref name="layer"/> over <paramref name="batch"/> items on the accelerator.</summary>
    /// <param name="context">What the run decided for the layer (buffers as the layer uses them, BFP formats, counting
    /// conventions, timing detail); null: <see cref="LayerContext.Of"/> the config.</param>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware.</exception>
    public static TileSchedule Map(Layer layer, int batch, AcceleratorConfig config, LayerContext? context = null) =>
        Map(layer, batch, config, context ?? LayerContext.Of(config), MappingPoint.Heuristic);

    /// <summary>The schedule of one point of the layer's mapping space (<see cref="Space"/>); vector-unit layers have one
    /// mapping and ignore the point.</summary>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware.</exception>
    public static TileSchedule Map(Layer layer, int batch, AcceleratorConfig config, LayerContext context, MappingPoint point) => layer switch
    {
        ConvLayer or FullyConnectedLayer => MapperOf(config, layer.Name).Map(GemmOf(layer, batch, context), config, context, point),
        _ => MapLayer(layer, batch, config, context),
    };

    /// <summary>The points of the layer's mapping space under the configured dataflow, <see cref="MappingPoint.Heuristic"/>
    /// first; a vector-unit layer has only that one.</summary>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware.</exception>
    public static IReadOnlyList<MappingPoint> Space(Layer layer, int batch, AcceleratorConfig config, LayerContext context) => layer switch
    {
        ConvLayer or FullyConnectedLayer => [.. MapperOf(config, layer.Name).Space(GemmOf(layer, batch, context), config, context)],
        _ => [MappingPoint.Heuristic],
    };

    /// <summary>True for the layers the PE array runs (conv and FC): the layers whose mapping is searched.</summary>
    public static bool RunsOnTheArray(Layer layer) => layer is ConvLayer or FullyConnectedLayer;

    private static GemmLayer GemmOf(Layer layer, int batch, LayerContext context) => layer switch
    {
        ConvLayer conv => new GemmLayer(layer.Name, ShapeOf(conv, batch, context.Run.Counting.PaddingAsData), conv.FusedRelu, conv.NonZeroWeights),
        FullyConnectedLayer fc => new GemmLayer(layer.Name, fc.ShapeFor(batch), fc.FusedRelu, fc.NonZeroWeights),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer.Kind, "not a PE-array layer"),
    };

    private static TileSchedule MapLayer(Layer layer, int batch, AcceleratorConfig config, LayerContext context) => layer switch
    {
        PoolLayer pool => VectorUnitMapper.MapPool(pool, batch, config, context),
        AddLayer add => VectorUnitMapper.MapElementwise(add.OutputShape.Elements * batch, inputs: 2, opsPerElement: add.FusedRelu ? 2 : 1, config, context, "residual add"),
        ReluLayer relu => VectorUnitMapper.MapElementwise(relu.OutputShape.Elements * batch, inputs: 1, opsPerElement: 1, config, context, "relu"),
        // Every output element is one input element copied once: the inputs together are read once.
        ConcatLayer concat => VectorUnitMapper.MapElementwise(concat.OutputShape.Elements * batch, inputs: 1, opsPerElement: 1, config, context, "concat"),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer.Kind, "unknown layer kind"),
    };

    /// <summary>The layer as the mapper sees it; with <paramref name="paddingAsData"/> (SCALE-Sim's convention: it has
    /// no padding, its users enlarge the input by hand) the padding is part of the input, so the zeros are fetched and
    /// read like data.</summary>
    private static ConvShape ShapeOf(ConvLayer c, int batch, bool paddingAsData) =>
        paddingAsData ? c.ShapeFor(batch).WithPaddingInInput() : c.ShapeFor(batch);

    private static IDataflowMapper MapperOf(AcceleratorConfig config, string layerName) =>
        Dataflows.TryGetValue(config.PeArray.Dataflow, out IDataflowMapper? mapper)
            ? mapper
            : throw new MappingException(
                $"layer '{layerName}': dataflow {config.PeArray.Dataflow} is not modelled; supported: output_stationary, weight_stationary, input_stationary, row_stationary");
}
