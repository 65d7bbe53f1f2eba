using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AccelSim.Workloads;

namespace AccelSim.Onnx;

/// <summary>A conv or fc layer's parameters as AccelSim lays them out: weights [M, C/groups, R, S] or [outputs, inputs],
/// bias [M] (null when the layer has none). Their sizes are known at once; the values may be read on first use (a
/// timing-only run never reads them).</summary>
public sealed class LayerParameters
{
    private readonly Lazy<(ImmutableArray<float> Weights, ImmutableArray<float>? Bias)> _values;

    /// <summary>Parameters already read.</summary>
    public LayerParameters(ImmutableArray<float> weights, ImmutableArray<float>? bias, string origin)
    {
        WeightCount = weights.Length;
        BiasLength = bias?.Length;
        Origin = origin;
        _values = new(() => (weights, bias));
    }

    /// <summary>Parameters of the given sizes, read by <paramref name="load"/> when first asked for.</summary>
    /// <exception cref="OnnxFormatException">(when read) the values do not have the sizes given here.</exception>
    public LayerParameters(long weightCount, int? biasLength, string origin, Func<LayerParameters> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        WeightCount = weightCount;
        BiasLength = biasLength;
        Origin = origin;
        _values = new(() =>
        {
            LayerParameters read = load();
            return read.WeightCount == weightCount && read.BiasLength == biasLength
                ? (read.Weights, read.Bias)
                : throw new OnnxFormatException($"{origin}: the model read again has {read.WeightCount} weights and a bias of {read.BiasLength?.ToString(CultureInfo.InvariantCulture) ?? "none"}, its shapes said {weightCount} and {biasLength?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        });
    }

    public long WeightCount { get; }

    /// <summary>The bias length, null when the layer has none.</summary>
    public int? BiasLength { get; }

    /// <summary>Where they came from (the model file and nodes), for messages.</summary>
    public string Origin { get; }

    public ImmutableArray<float> Weights => _values.Value.Weights;

    public ImmutableArray<float>? Bias => _values.Value.Bias;
}

/// <summary>One layer of an imported graph: its workload-file fields and the ONNX nodes it came from.</summary>
/// <param name="Name">The readable name (<see cref="LayerNaming"/>).</param>
/// <param name="Fields">Key and YAML value, in the order they are written (name, onnx_node and type first).</param>
public sealed record ImportedLayer(string Name, string Type, ImmutableArray<(string Key, string Value)> Fields, string Nodes)
{
    /// <summary>The name of the ONNX node the layer starts with (its output's name when the node has none).</summary>
    public string OnnxNode { get; init; } = "";
}

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

    /// <summary>Each layer's readable name by the name it had before readable names: its ONNX node's name, made a valid
    /// layer name. Workload files written then still find their weights through it.</summary>
    public ImmutableDictionary<string, string> FormerNames { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The parameters of the layer named <paramref name="name"/>, readable or former; null when it has none.</summary>
    public LayerParameters? ParametersOf(string name) =>
        Parameters.TryGetValue(name, out LayerParameters? byName) ? byName
        : FormerNames.TryGetValue(name, out string? readable) && Parameters.TryGetValue(readable, out LayerParameters? byFormer) ? byFormer
        : null;

    /// <summary>Writes the workload file: the layers with shapes from the model; weights named by <paramref name="weightsSource"/>
    /// (a YAML flow mapping such as <c>{ onnx: { file: model.onnx } }</c>).</summary>
    public string ToYaml(string weightsSource, string inputsSource = "{ synthetic: { seed: 7 } }")
    {
        var text = new StringBuilder();
        text.Append("# ").AppendLine(Description);
        text.AppendLine("# Written by `accelsim import onnx`. Batch normalisation is folded into the convolution before it; a ReLU");
        text.AppendLine("# right after a conv, fc or add (and read by nothing else) is fused into it; Flatten, Reshape to [batch, features],");
        text.AppendLine("# Dropout and Identity are no-ops. Layer names are derived from the graph's shape (stem, stages of residual blocks,");
        text.AppendLine("# head); onnx_node is the ONNX node a layer starts with, and the comment on it names every node it came from.");
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
