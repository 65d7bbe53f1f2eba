using System.Globalization;
using System.Text;
using AccelSim.Files;
using AccelSim.Reports;
using AccelSim.Tensors;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>Writes a network held in memory as a normal workload file: every conv and FC layer with
/// <c>weights: { npy: ... }</c>, the .npy files in a folder beside it (<c>NAME_weights/</c>).</summary>
/// <remarks>Each .npy file and then the YAML are written atomically, the YAML last, so a workload file never names a
/// weight file that is not complete.</remarks>
public static class WorkloadWriter
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>; <paramref name="header"/> lines become a
    /// comment at the top. Returns the weight folder.</summary>
    /// <param name="shapeOnly">Write the layers' shapes with seeded synthetic weights and inputs instead of the values:
    /// a small file for timing studies (sweeps) of a compressed network's shape.</param>
    public static string Write(WeightedNetwork model, string path, string name, IReadOnlyList<string> header, bool shapeOnly = false)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        string folderName = Path.GetFileNameWithoutExtension(fullPath) + "_weights";
        string folder = Path.Combine(directory, folderName);
        if (!shapeOnly)
        {
            Directory.CreateDirectory(folder);
        }

        Network network = model.Network;
        var text = new StringBuilder();
        foreach (string line in header)
        {
            text.Append("# ").AppendLine(line);
        }

        text.AppendLine("version: 1");
        text.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        TensorShape input = network.InputShape;
        text.AppendLine(CultureInfo.InvariantCulture, $"input: {{ channels: {input.Channels}, height: {input.Height}, width: {input.Width} }}");
        text.AppendLine(CultureInfo.InvariantCulture, $"batch: {network.Batch}");
        text.AppendLine(shapeOnly ? ShapeOnlySources(network) : network.Inputs switch
        {
            SyntheticInputs s => string.Create(CultureInfo.InvariantCulture, $"inputs: {{ synthetic: {{ seed: {s.Seed} }} }}"),
            NpyInputs n => $"inputs: {{ npy: {Quote(Path.GetRelativePath(directory, n.Path).Replace('\\', '/'))} }}",

            // An image input (read and prepared: channel order, mean) is written as the tensor the network reads.
            ImageInputs => WriteInput(network, folder, folderName),
            _ => throw new NotSupportedException($"input source {network.Inputs.GetType().Name} cannot be written"),
        });
        text.AppendLine("layers:");
        foreach (Layer layer in network.Layers)
        {
            text.Append("  - { ").Append(LayerFields(layer));
            if (!shapeOnly && model.Weights.TryGetValue(layer.Name, out LayerWeights? w))
            {
                string stem = layer.Name.Replace('/', '_');
                string weightsFile = $"{stem}.weights.npy";
                int[] shape = layer switch
                {
                    ConvLayer c => [c.OutputChannels, c.InputShape.Channels / c.Groups, c.KernelHeight, c.KernelWidth],
                    FullyConnectedLayer f => [f.OutputFeatures, checked((int)f.InputFeatures)],
                    _ => throw new InvalidOperationException("only conv and FC layers have weights"),
                };
                NpyFile.WriteFloat32(Path.Combine(folder, weightsFile), shape, w.Weights);
                text.Append(CultureInfo.InvariantCulture, $", weights: {{ npy: {{ weights: {Quote($"{folderName}/{weightsFile}")}");
                if (w.Bias.Length > 0)
                {
                    string biasFile = $"{stem}.bias.npy";
                    NpyFile.WriteFloat32(Path.Combine(folder, biasFile), [w.Bias.Length], w.Bias);
                    text.Append(CultureInfo.InvariantCulture, $", bias: {Quote($"{folderName}/{biasFile}")}");
                }

                text.Append(" } }");
            }

            text.AppendLine(" }");
        }

        AtomicFile.Write(fullPath, writer => writer.Write(text.ToString()));
        return folder;
    }

    private static string LayerFields(Layer layer)
    {
        var fields = new List<string> { $"name: {Quote(layer.Name)}" };
        switch (layer)
        {
            case ConvLayer c:
                fields.Add("type: conv");
                fields.Add($"input: {Quote(c.Inputs[0])}");
                fields.Add(Invariant($"filters: {c.OutputChannels}"));
                fields.Add(Invariant($"kernel: [{c.KernelHeight}, {c.KernelWidth}]"));
                fields.Add(Invariant($"stride: [{c.StrideHeight}, {c.StrideWidth}]"));
                fields.Add(Invariant($"padding: [{c.PadTop}, {c.PadLeft}, {c.PadBottom}, {c.PadRight}]"));
                fields.Add(Invariant($"dilation: [{c.DilationHeight}, {c.DilationWidth}]"));
                fields.Add(Invariant($"groups: {c.Groups}"));
                fields.Add($"bias: {Bool(c.HasBias)}");
                fields.Add($"relu: {Bool(c.FusedRelu)}");
                AddBfp(fields, c.Bfp);
                break;
            case FullyConnectedLayer f:
                fields.Add("type: fc");
                fields.Add($"input: {Quote(f.Inputs[0])}");
                fields.Add(Invariant($"outputs: {f.OutputFeatures}"));
                fields.Add($"bias: {Bool(f.HasBias)}");
                fields.Add($"relu: {Bool(f.FusedRelu)}");
                AddBfp(fields, f.Bfp);
                break;
            case PoolLayer p:
                fields.Add(p.IsMax ? "type: max_pool" : "type: avg_pool");
                fields.Add($"input: {Quote(p.Inputs[0])}");
                fields.Add(Invariant($"kernel: [{p.KernelHeight}, {p.KernelWidth}]"));
                fields.Add(Invariant($"stride: [{p.StrideHeight}, {p.StrideWidth}]"));
                fields.Add(Invariant($"padding: [{p.PadTop}, {p.PadLeft}, {p.PadBottom}, {p.PadRight}]"));
                break;
            case AddLayer a:
                fields.Add("type: add");
                fields.Add($"inputs: [{Quote(a.Inputs[0])}, {Quote(a.Inputs[1])}]");
                fields.Add($"relu: {Bool(a.FusedRelu)}");
                break;
            case ConcatLayer c:
                fields.Add("type: concat");
                fields.Add($"inputs: [{string.Join(", ", c.Inputs.Select(Quote))}]");
                break;
            case ReluLayer r:
                fields.Add("type: relu");
                fields.Add($"input: {Quote(r.Inputs[0])}");
                break;
            default:
                throw new NotSupportedException($"layer '{layer.Name}': kind {layer.Kind} cannot be written");
        }

        return string.Join(", ", fields);
    }

    /// <summary>Seeded sources in place of values: the input's own seed when it has one.</summary>
    private static string ShapeOnlySources(Network network) => string.Create(CultureInfo.InvariantCulture,
        $"inputs: {{ synthetic: {{ seed: {(network.Inputs is SyntheticInputs s ? s.Seed : 7)} }} }}\nweights: {{ synthetic: {{ seed: 42 }} }}");

    private static string WriteInput(Network network, string folder, string folderName)
    {
        TensorShape shape = network.InputShape;
        NpyFile.WriteFloat32(Path.Combine(folder, "input.npy"), [network.Batch, shape.Channels, shape.Height, shape.Width], Execution.NetworkInputs.Tensor(network));
        return $"inputs: {{ npy: {Quote($"{folderName}/input.npy")} }}";
    }

    private static void AddBfp(List<string> fields, LayerBfp? bfp)
    {
        if (bfp is null)
        {
            return;
        }

        static string? Format(BfpFormatOverride f)
        {
            var parts = new List<string>();
            if (f.Format is { } format)
            {
                parts.Add($"format: {format}");
            }

            if (f.ExponentBits is { } e)
            {
                parts.Add(Invariant($"exponent_bits: {e}"));
            }

            if (f.MantissaBits is { } m)
            {
                parts.Add(Invariant($"mantissa_bits: {m}"));
            }

            return parts.Count == 0 ? null : $"{{ {string.Join(", ", parts)} }}";
        }

        var tensors = new List<string>();
        if (Format(bfp.Weights) is { } weights)
        {
            tensors.Add($"weights: {weights}");
        }

        if (Format(bfp.Inputs) is { } inputs)
        {
            tensors.Add($"inputs: {inputs}");
        }

        if (tensors.Count > 0)
        {
            fields.Add($"bfp: {{ {string.Join(", ", tensors)} }}");
        }
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Double-quoted YAML scalar (names and paths may hold characters YAML would read otherwise).</summary>
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
