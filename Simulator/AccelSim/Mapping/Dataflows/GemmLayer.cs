using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.Mapping.Dataflows;

/// <summary>A conv or FC layer as a dataflow maps it: its shape over the batch, and what rides along with its GEMM.</summary>
/// <param name="Name">The layer's name, for messages and schedules.</param>
/// <param name="Shape">The convolution the array computes (an FC layer as a 1×1 convolution).</param>
/// <param name="FusedRelu">True when the outputs pass through a ReLU on the vector unit on their way out.</param>
/// <param name="NonZeroWeights">The layer's non-zero weights when measured (sparse storage or skipping); null: dense.</param>
internal sealed record GemmLayer(string Name, ConvShape Shape, bool FusedRelu, WeightMask? NonZeroWeights)
{
    /// <summary>Measured fraction of non-zero weights, for sparse storage; null: dense.</summary>
    public double? WeightDensity => NonZeroWeights?.Density;

    /// <summary>Refuses zero-operand skipping for a dataflow that does not model it.</summary>
    /// <param name="dataflowName">The dataflow as configs write it (<c>weight_stationary</c> …), for the message.</param>
    /// <exception cref="MappingException">The weights were measured and the array is set to skip zero operands.</exception>
    public void RefuseZeroSkipping(AcceleratorConfig config, string dataflowName)
    {
        if (NonZeroWeights is not null && config.PeArray.ZeroOperands == ZeroOperandPolicy.Skip)
        {
            throw new MappingException(
                $"layer '{Name}': zero_operands: skip is modelled for output_stationary only (the array streams K in lock-step there); use gate with {dataflowName}");
        }
    }
}
