using System.Collections.Immutable;
using AccelSim.Statistics;

namespace AccelSim.Hardware;

/// <summary>The typed name of one hardware component: its path, under which it registers its statistics, appears in
/// traces and has its energy priced. The accelerator's fixed components are declared here, once; buffers named by a
/// config get an id from their configured name.</summary>
/// <param name="Path">The component's path (<see cref="StatPath"/> grammar), for example <c>pe_array</c>.</param>
public readonly record struct ComponentId(string Path)
{
    /// <summary>The off-chip memory channel.</summary>
    public static readonly ComponentId Dram = new("dram");

    /// <summary>The input-feature-map buffer and the loader that fills it.</summary>
    public static readonly ComponentId Ifmap = new("ifmap");

    /// <summary>The weight buffer and the loader that fills it.</summary>
    public static readonly ComponentId Weights = new("weights");

    /// <summary>The output buffer, which drains results to DRAM.</summary>
    public static readonly ComponentId Ofmap = new("ofmap");

    /// <summary>The PE array, the engine of convolutions and fully connected layers.</summary>
    public static readonly ComponentId PeArray = new("pe_array");

    /// <summary>The float32 vector unit, the engine of pooling, additions and activations.</summary>
    public static readonly ComponentId VectorUnit = new("vector_unit");

    /// <summary>The BFP converters between the buffers and a BFP PE array.</summary>
    public static readonly ComponentId BfpConverter = new("bfp_converter");

    /// <summary>The float16 input converters of a float16 PE array.</summary>
    public static readonly ComponentId Fp16Converter = new("fp16_converter");

    /// <summary>The tensor streams with a DRAM region of their own, in region order (see <see cref="DramBanks"/>);
    /// any other transfer shares the region after them.</summary>
    public static ImmutableArray<ComponentId> DramStreams { get; } = [Ifmap, Weights, Ofmap];

    /// <summary>The component's path. Always follows the <see cref="StatPath"/> grammar.</summary>
    /// <exception cref="ArgumentException">At construction, when the path breaks the grammar.</exception>
    public string Path { get; } = StatPath.IsValid(Path)
        ? Path
        : throw new ArgumentException($"Component path '{Path}' is not a valid path.", nameof(Path));

    /// <summary>The component's path.</summary>
    public override string ToString() => Path;
}
