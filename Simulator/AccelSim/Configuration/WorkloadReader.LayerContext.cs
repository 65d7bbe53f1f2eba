using AccelSim.Configuration.Yaml;
using AccelSim.Onnx;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// What one layer tells the next while the list is read.
internal static partial class WorkloadReader
{
    /// <summary>What the layers read so far tell the next one: defined names and their output shapes (null when unknown).</summary>
    private sealed class LayerContext(ConfigErrors errors, TensorShape? networkInput, ulong? weightSeed, bool hasWorkloadWeights)
    {
        private readonly Dictionary<string, TensorShape?> _shapes = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];

        public ConfigErrors Errors { get; } = errors;

        public ulong? WeightSeed { get; } = weightSeed;

        public string BaseDirectory { get; init; } = "";

        /// <summary>The ONNX model that <c>weights: { onnx: … }</c> names, or null.</summary>
        public ImportedModel? Model { get; init; }

        public bool HasWorkloadWeights { get; } = hasWorkloadWeights;

        /// <summary>Every layer name in the file with the index and line of its first use, to tell "later" from "nowhere".</summary>
        public Dictionary<string, (int Index, int Line)> AllNames { get; } = new(StringComparer.Ordinal);

        /// <summary>The index of the layer being read.</summary>
        public int CurrentIndex { get; set; }

        /// <summary>Names defined so far, with the line of their definition.</summary>
        public Dictionary<string, int> Defined { get; } = new(StringComparer.Ordinal);

        /// <summary>The layer read last and its output shape, or null when it has no usable name.</summary>
        public (string Name, TensorShape? Shape)? Previous { get; private set; } = (Network.InputName, networkInput);

        public void Record(string? name, TensorShape? output)
        {
            if (name is null)
            {
                Previous = null;
                return;
            }

            _shapes[name] = output;
            _order.Add(name);
            Previous = (name, output);
        }

        /// <summary>Resolves an input name to an earlier layer (or the network input); reports an unknown name.</summary>
        public (string Name, TensorShape? Shape)? Resolve(string source, DocNode at, string label)
        {
            if (source == Network.InputName)
            {
                return (source, networkInput);
            }

            if (_shapes.TryGetValue(source, out TensorShape? shape))
            {
                return (source, shape);
            }

            string later = !AllNames.TryGetValue(source, out var where) ? ""
                : where.Index == CurrentIndex ? " (a layer cannot read its own output)"
                : where.Index > CurrentIndex ? $" (it comes later, at line {where.Line})"
                : "";
            Errors.Add(at, $"{label} input '{source}' is not defined earlier{later}; known: {string.Join(", ", new[] { Network.InputName }.Concat(_order))}");
            return null;
        }
    }
}
