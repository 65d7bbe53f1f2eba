using System.Globalization;
using AccelSim.Hardware;

namespace AccelSim.Mapping.Dataflows;

/// <summary>The smallest buffers (capacity in bytes, both halves) that hold a dataflow's smallest legal tile of a layer:
/// what a refusal tells the user to provide.</summary>
/// <param name="IfmapBytes">Smallest ifmap buffer capacity.</param>
/// <param name="WeightBytes">Smallest weight buffer capacity.</param>
/// <param name="OfmapBytes">Smallest ofmap buffer capacity.</param>
internal readonly record struct SmallestTile(long IfmapBytes, long WeightBytes, long OfmapBytes)
{
    /// <summary>The sizes as the refusals write them: "ifmap 19976, weights 484, ofmap 440 bytes (this layer has 55296,
    /// 18432, 36864)".</summary>
    public string Describe(BufferSetConfig buffers) => string.Create(CultureInfo.InvariantCulture,
        $"the smallest buffers that hold the smallest tile: ifmap {IfmapBytes}, weights {WeightBytes}, ofmap {OfmapBytes} bytes (this layer has {buffers.Ifmap.CapacityBytes}, {buffers.Weights.CapacityBytes}, {buffers.Ofmap.CapacityBytes})");

    /// <summary>The refusal of a layer whose smallest tile (<paramref name="tile"/>, in words) does not fit.</summary>
    public static MappingException Refusal(string layerName, string dataflowName, string tile, SmallestTile smallest, BufferSetConfig buffers) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"layer '{layerName}': even the smallest {dataflowName} tile ({tile}) does not fit; {smallest.Describe(buffers)}"));
}
