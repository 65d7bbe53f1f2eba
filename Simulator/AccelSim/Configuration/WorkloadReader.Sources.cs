using AccelSim.Configuration.Yaml;
using AccelSim.Onnx;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// Where tensors come from: the workload's and each layer's weights, the network input, model and data files.
internal static partial class WorkloadReader
{
    /// <summary>Reads the workload's <c>weights: { synthetic: { seed: N } }</c> or <c>weights: { onnx: { file | package } }</c>.</summary>
    private static (ulong? Seed, ImportedModel? Model) ReadWorkloadWeights(MapReader root, string baseDirectory, ImportedModel? preloaded, bool whenUsed)
    {
        if (!root.Has("weights") || root.Mapping("weights", SourceSchema, required: false) is not { } source)
        {
            return (null, null);
        }

        if (source.Has("onnx") == source.Has("synthetic"))
        {
            root.Errors.Add(root.Entry("weights")!.Value, "weights needs exactly one source: synthetic: { seed: N } or onnx: { file: MODEL.onnx } (or { package: NAME.onnx })");
            return (null, null);
        }

        if (source.Has("synthetic"))
        {
            return (source.Mapping("synthetic", SyntheticSchema) is { } synthetic ? synthetic.Unsigned("seed") : null, null);
        }

        if (source.Mapping("onnx", OnnxModelSchema) is not { } onnx || ModelPath(onnx, baseDirectory) is not { } path)
        {
            return (null, null);
        }

        try
        {
            return (null, preloaded ?? (whenUsed ? OnnxImporter.ImportShapes(path) : OnnxImporter.Import(path)));
        }
        catch (OnnxFormatException e)
        {
            root.Errors.Add(root.Entry("weights")!.Value, $"weights.onnx: {e.Message}");
            return (null, null);
        }
    }

    /// <summary>The folder beside the program where the build puts the ONNX models that packages ship.</summary>
    public static string PackageModelFolder => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Resolves <c>{ file: PATH }</c> (relative to the workload) or <c>{ package: NAME }</c> (in <see cref="PackageModelFolder"/>).</summary>
    private static string? ModelPath(MapReader onnx, string baseDirectory)
    {
        if (onnx.Has("file") == onnx.Has("package"))
        {
            onnx.Errors.Add(onnx.Anchor, $"{onnx.Path} needs exactly one of file: MODEL.onnx (relative to the workload) or package: NAME.onnx (a model the build copies beside the program)");
            return null;
        }

        if (onnx.Has("file"))
        {
            return onnx.Text("file") is { } file ? ExistingFile(onnx, "file", file, baseDirectory) : null;
        }

        if (onnx.Text("package") is not { } name)
        {
            return null;
        }

        string path = Path.Combine(PackageModelFolder, name);
        if (File.Exists(path))
        {
            return path;
        }

        string shipped = Directory.Exists(PackageModelFolder) ? string.Join(", ", Directory.GetFiles(PackageModelFolder, "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal)) : "";
        onnx.Errors.Add(onnx.Entry("package")!.Value,
            $"{onnx.Full("package")} '{name}' is not among the packaged models in {PackageModelFolder} ({(shipped.Length > 0 ? shipped : "none: build the project, which copies them there")})");
        return null;
    }

    /// <summary>The layer's own source if given, else one derived from the workload's seed and the layer name.</summary>
    private static WeightSource? ReadWeights(MapReader layer, string label, string? name, LayerContext context)
    {
        if (layer.Has("weights"))
        {
            if (layer.Mapping("weights", LayerSourceSchema) is not { } source)
            {
                return null;
            }

            if (source.Has("npy") == source.Has("synthetic"))
            {
                layer.Errors.Add(layer.Entry("weights")!.Value, $"{layer.Full("weights")} needs exactly one source: synthetic: {{ seed: N }} or npy: {{ weights: FILE, bias: FILE }}");
                return null;
            }

            if (source.Has("npy"))
            {
                if (source.Mapping("npy", NpyWeightsSchema) is not { } npy || npy.Text("weights") is not { } weightsFile)
                {
                    return null;
                }

                string? weightsPath = ExistingFile(npy, "weights", weightsFile, context.BaseDirectory);
                string? biasPath = npy.Has("bias") && npy.Text("bias") is { } biasFile ? ExistingFile(npy, "bias", biasFile, context.BaseDirectory) : null;
                return weightsPath is null || (npy.Has("bias") && biasPath is null) ? null : new NpyWeights(weightsPath, biasPath);
            }

            return source.Mapping("synthetic", SyntheticSchema) is { } synthetic && synthetic.Unsigned("seed") is { } seed ? new SyntheticWeights(seed) : null;
        }

        if (!context.HasWorkloadWeights)
        {
            layer.Errors.Add(layer.Anchor,
                $"{label} has no weights source: give weights: {{ synthetic: {{ seed: N }} }} at the top level (for every layer) or on this layer");
            return null;
        }

        if (context.Model is { } model && name is not null)
        {
            if (model.ParametersOf(name) is { } parameters)
            {
                // A model read for its shapes only reads its weights here, after the checks: a problem then is still bad input.
                var at = new ConfigError(layer.Errors.File, layer.Anchor.Line, layer.Anchor.Column, label);
                return new LoadedWeights(parameters.WeightCount, parameters.BiasLength, parameters.Origin, () =>
                {
                    try
                    {
                        return (parameters.Weights, parameters.Bias);
                    }
                    catch (OnnxFormatException e)
                    {
                        throw new ConfigException(at with { Message = $"{label} weights: {e.Message}" });
                    }
                });
            }

            layer.Errors.Add(layer.Anchor,
                $"{label} has no parameters in the ONNX model; its conv/fc layers are {string.Join(", ", model.Parameters.Keys.Order(StringComparer.Ordinal))} (names as accelsim import onnx writes them)");
            return null;
        }

        return context.WeightSeed is { } workloadSeed && name is not null
            ? new SyntheticWeights(LayerSeeds.Derive(workloadSeed, name))
            : null;
    }

    /// <summary>Reads <c>inputs: { synthetic: { seed: N } }</c> or <c>inputs: { npy: FILE }</c>.</summary>
    private static InputSource? ReadInputs(MapReader root, string baseDirectory)
    {
        if (root.Mapping("inputs", InputSourceSchema) is not { } source)
        {
            return null;
        }

        if (new[] { "npy", "synthetic", "image" }.Count(source.Has) != 1)
        {
            root.Errors.Add(root.Entry("inputs")!.Value, "inputs needs exactly one source: synthetic: { seed: N }, npy: FILE or image: { synthetic: { seed: N } | png: FILE }");
            return null;
        }

        if (source.Has("image"))
        {
            return ReadImageInputs(source, baseDirectory);
        }

        foreach (string key in new[] { "channel_order", "mean" }.Where(source.Has))
        {
            root.Errors.Add(source.Entry(key)!.Key, $"inputs.{key} prepares an image: it goes with image: {{ … }}, not with a tensor source");
            return null;
        }

        if (source.Has("npy"))
        {
            return source.Text("npy") is { } file && ExistingFile(source, "npy", file, baseDirectory) is { } path ? new NpyInputs(path) : null;
        }

        return source.Mapping("synthetic", SyntheticSchema) is { } synthetic && synthetic.Unsigned("seed") is { } seed ? new SyntheticInputs(seed) : null;
    }

    /// <summary>A file named relative to the workload's folder; an error at the key when it does not exist.</summary>
    private static string? ExistingFile(MapReader map, string key, string file, string baseDirectory)
    {
        string resolved = Path.Combine(baseDirectory, file);
        if (File.Exists(resolved))
        {
            return resolved;
        }

        map.Errors.Add(map.Entry(key)!.Value, $"{map.Full(key)} '{file}' does not exist (looked for {resolved}); the path is relative to the workload's folder");
        return null;
    }
}
