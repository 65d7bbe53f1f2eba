using System.Collections.Immutable;
using AccelSim.Configuration.Yaml;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// The layers a layer reads: one input, the two of an add, the list of a concat.
internal static partial class WorkloadReader
{
    private static LayerInputs? ReadSingleInput(MapReader layer, string label, LayerContext context)
    {
        if (!layer.Has("input"))
        {
            return context.Previous is { } previous ? new LayerInputs([previous.Name], previous.Shape) : null;
        }

        DocNode node = layer.Entry("input")!.Value;
        if (Values.Text(node, layer.Full("input"), layer.Errors) is not { } source)
        {
            return null;
        }

        return context.Resolve(source, node, label) is { } resolved ? new LayerInputs([source], resolved.Shape) : null;
    }

    private static LayerInputs? ReadAddInputs(MapReader layer, string label, LayerContext context)
    {
        const string Description = "a list of exactly 2 earlier layer names (or input)";
        if (layer.Sequence("inputs", Description) is not { } list)
        {
            return null;
        }

        if (ReadInputList(layer, list, label, context, Description, minimum: 2, maximum: 2) is not (var names, var shapes))
        {
            return null;
        }

        if (shapes[0] is { } first && shapes[1] is { } second && first != second)
        {
            layer.Errors.Add(list,
                $"{label} adds inputs of different shapes: '{names[0]}' is {first} and '{names[1]}' is {second} (channels x height x width); both inputs must have the same shape");
            return null;
        }

        return new LayerInputs([.. names], shapes[0] is { } s && shapes[1] is not null ? s : null);
    }

    /// <summary>The names and shapes of a layer's <c>inputs</c> list; null (with the errors reported) unless it has
    /// between <paramref name="minimum"/> and <paramref name="maximum"/> entries that all name earlier layers.</summary>
    private static (List<string> Names, List<TensorShape?> Shapes)? ReadInputList(
        MapReader layer, DocSequence list, string label, LayerContext context, string description, int minimum, int maximum)
    {
        if (list.Items.Count < minimum || list.Items.Count > maximum)
        {
            layer.Errors.Add(list, $"{layer.Full("inputs")} must be {description}, was a list of {list.Items.Count}");
            return null;
        }

        var names = new List<string>();
        var shapes = new List<TensorShape?>();
        foreach (DocNode node in list.Items)
        {
            if (Values.Text(node, layer.Full("inputs"), layer.Errors) is { } source && context.Resolve(source, node, label) is { } resolved)
            {
                names.Add(source);
                shapes.Add(resolved.Shape);
            }
        }

        return names.Count == list.Items.Count ? (names, shapes) : null;
    }

    /// <summary>Reads a concat layer's two or more inputs, which must agree in height and width.</summary>
    private static LayerInputs? ReadConcatInputs(MapReader layer, string label, LayerContext context, out ImmutableArray<int>? channels)
    {
        const string Description = "a list of 2 or more earlier layer names (or input), of equal height and width";
        channels = null;
        if (layer.Sequence("inputs", Description) is not { } list)
        {
            return null;
        }

        if (ReadInputList(layer, list, label, context, Description, minimum: 2, maximum: int.MaxValue) is not (var names, var shapes))
        {
            return null;
        }

        if (shapes.Any(s => s is null))
        {
            return new LayerInputs([.. names], null);
        }

        TensorShape first = shapes[0]!.Value;
        for (int i = 1; i < shapes.Count; i++)
        {
            if (shapes[i]!.Value is var other && (other.Height, other.Width) != (first.Height, first.Width))
            {
                layer.Errors.Add(list.Items[i],
                    $"{label} concatenates inputs of different height x width: '{names[0]}' is {first.Height}x{first.Width} and '{names[i]}' is {other.Height}x{other.Width}; every input must have the same height and width (channels may differ)");
                return null;
            }
        }

        channels = [.. shapes.Select(s => s!.Value.Channels)];
        return new LayerInputs([.. names], first);
    }

    /// <summary>The names a layer reads and the shape of its (first) input; the shape is null when an input is broken.</summary>
    private readonly record struct LayerInputs(ImmutableArray<string> Names, TensorShape? Shape);
}
