using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AccelSim.Workloads;

namespace AccelSim.Onnx;

/// <summary>A conv or fc layer's parameters as AccelSim lays them out: weights [M, C/groups, R, S] or [outputs, inputs],
/// bias [M] (null when the layer has none).</summary>
public sealed record LayerParameters(ImmutableArray<float> Weights, ImmutableArray<float>? Bias, string Origin);

/// <summary>One layer of an imported graph: its workload-file fields and the ONNX nodes it came from.</summary>
/// <param name="Fields">Key and YAML value, in the order they are written (name and type first).</param>
public sealed record ImportedLayer(string Name, string Type, ImmutableArray<(string Key, string Value)> Fields, string Nodes);

/// <summary>An ONNX graph lowered to AccelSim layers, with every conv/fc layer's parameters (batch norm folded in).</summary>
public sealed class ImportedModel
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public required int Batch { get; init; }

    public required TensorShape InputShape { get; init; }

    public required ImmutableArray<ImportedLayer> Layers { get; init; }

    /// <summary>Parameters by layer name.</summary>
    public required ImmutableDictionary<string, LayerParameters> Parameters { get; init; }

    /// <summary>Writes the workload file: the layers with shapes from the model; weights named by <paramref name="weightsSource"/>
    /// (a YAML flow mapping such as <c>{ onnx: { file: model.onnx } }</c>).</summary>
    public string ToYaml(string weightsSource, string inputsSource = "{ synthetic: { seed: 7 } }")
    {
        var text = new StringBuilder();
        text.Append("# ").AppendLine(Description);
        text.AppendLine("# Written by `accelsim import onnx`. Batch normalisation is folded into the convolution before it; a ReLU");
        text.AppendLine("# right after a conv, fc or add (and read by nothing else) is fused into it; Flatten, Reshape to [batch, features],");
        text.AppendLine("# Dropout and Identity are no-ops. The comment on each layer names the ONNX nodes it came from.");
        text.AppendLine("version: 1");
        text.Append("name: ").AppendLine(Name);
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"input: {{ channels: {InputShape.Channels}, height: {InputShape.Height}, width: {InputShape.Width} }}"));
        text.Append("batch: ").AppendLine(Batch.ToString(CultureInfo.InvariantCulture));
        text.Append("inputs: ").AppendLine(inputsSource);
        text.Append("weights: ").AppendLine(weightsSource);
        text.AppendLine("layers:");
        foreach (ImportedLayer layer in Layers)
        {
            text.Append("  - { ").AppendJoin(", ", layer.Fields.Select(f => $"{f.Key}: {f.Value}")).Append(" }  # ").AppendLine(layer.Nodes);
        }

        return text.ToString();
    }
}
