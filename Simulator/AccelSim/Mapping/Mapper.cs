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
    /// <exception cref="MappingException">The layer cannot be placed on this hardware.</exception>
    public static TileSchedule Map(Layer layer, int batch, AcceleratorConfig config) => layer switch
    {
        ConvLayer conv => MapGemm(new GemmLayer(layer.Name, ShapeOf(conv, batch, config.ScaleSimCompatible), conv.FusedRelu, conv.NonZeroWeights), config),
        FullyConnectedLayer fc => MapGemm(new GemmLayer(layer.Name, fc.ShapeFor(batch), fc.FusedRelu, fc.NonZeroWeights), config),
        PoolLayer pool => VectorUnitMapper.MapPool(pool, batch, config),
        AddLayer add => VectorUnitMapper.MapElementwise(add.OutputShape.Elements * batch, inputs: 2, opsPerElement: add.FusedRelu ? 2 : 1, config, "residual add"),
        ReluLayer relu => VectorUnitMapper.MapElementwise(relu.OutputShape.Elements * batch, inputs: 1, opsPerElement: 1, config, "relu"),
        // Every output element is one input element copied once: the inputs together are read once.
        ConcatLayer concat => VectorUnitMapper.MapElementwise(concat.OutputShape.Elements * batch, inputs: 1, opsPerElement: 1, config, "concat"),
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer.Kind, "unknown layer kind"),
    };

    /// <summary>The layer as the mapper sees it; in SCALE-Sim compatibility mode the padding is part of the input
    /// (SCALE-Sim has no padding: its users enlarge the input by hand), so the zeros are fetched and read like data.</summary>
    private static ConvShape ShapeOf(ConvLayer c, int batch, bool scaleSimCompatible) =>
        scaleSimCompatible ? c.ShapeFor(batch).WithPaddingInInput() : c.ShapeFor(batch);

    private static TileSchedule MapGemm(GemmLayer layer, AcceleratorConfig config) =>
        Dataflows.TryGetValue(config.PeArray.Dataflow, out IDataflowMapper? mapper)
            ? mapper.Map(layer, config)
            : throw new MappingException(
                $"layer '{layer.Name}': dataflow {config.PeArray.Dataflow} is not modelled; supported: output_stationary, weight_stationary, input_stationary, row_stationary");
}
