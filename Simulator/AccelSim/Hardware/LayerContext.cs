using AccelSim.Numerics;

namespace AccelSim.Hardware;

/// <summary>What the run decided for one layer on top of the hardware description: the mapper, the components and energy
/// pricing read the <see cref="AcceleratorConfig"/> together with it, and the config itself is never rewritten.</summary>
/// <remarks>Built by the execution layer (per layer: its BFP formats, whether its input and output stay on chip, the split
/// of a unified buffer it chose). <see cref="Of"/> gives the context of a layer nothing was decided for.</remarks>
public sealed record LayerContext
{
    /// <summary>The run-level settings the layer runs under.</summary>
    public required RunSettings Run { get; init; }

    /// <summary>The buffers as the layer uses them: the config's, or for a unified buffer the split the layer chose
    /// (<see cref="BufferSetConfig.Partitioned"/> true once chosen).</summary>
    public required BufferSetConfig Buffers { get; init; }

    /// <summary>The layer's effective BFP settings: the config's, with the layer's own formats where it gives them.</summary>
    public required BfpSettings Bfp { get; init; }

    /// <summary>This layer's input is the previous layer's output, on chip.</summary>
    public bool InputFromChip { get; init; }

    /// <summary>This layer's output stays on chip for the next layer.</summary>
    public bool OutputToChip { get; init; }

    /// <summary>The context of a layer nothing was decided for: the config's buffers and BFP settings, inputs and outputs in
    /// DRAM, under <paramref name="run"/> (null: <see cref="RunSettings.Native"/>).</summary>
    public static LayerContext Of(AcceleratorConfig config, RunSettings? run = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LayerContext { Run = run ?? RunSettings.Native, Buffers = config.Buffers, Bfp = config.Bfp };
    }
}
