using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Onnx;

/// <summary>One lowered layer as the naming rule sees it: its name so far, its type, and the layers it reads.</summary>
/// <param name="Name">A unique name (the ONNX node's).</param>
/// <param name="Type">The workload type: conv, fc, max_pool, avg_pool, add, relu or concat.</param>
/// <param name="Inputs">The names of the layers it reads, or <c>input</c> for the network input.</param>
public sealed record NamedLayer(string Name, string Type, ImmutableArray<string> Inputs);

/// <summary>Readable layer names derived from the shape of a lowered graph, in the style of torchvision's ResNets
/// (<c>conv1</c>, <c>pool1</c>, <c>layer1.0.conv1</c>, <c>layer1.0.add</c>, …); the rule is in docs/onnx.md.</summary>
/// <remarks>
/// <para>Every <c>add</c> whose two inputs differ ends a residual block. Its two branches are the layers each input of
/// the add is or reads, back to (not including) the end of the previous block, less the layers both read (those come
/// before the block). The branch with fewer layers is the shortcut (the second input's on a tie): its layers are the
/// <c>downsample</c>; the other branch is the main one.</para>
/// <para>A block that is the first, or that has a downsample, starts a new stage. Block b (from 0) of stage s (from 1)
/// names its layers <c>layer{s}.{b}.</c> + the main branch's <c>{kind}{n}</c> (n from 1 per kind, in execution order),
/// <c>downsample</c> (or <c>downsample.{i}</c>, from 0, when the shortcut has several layers) and <c>add</c>.</para>
/// <para>Every layer outside a block is <c>{kind}{n}</c>, n counting that kind outside blocks from 1 in execution order.
/// Kinds: conv, fc, pool (max or average), relu, add, concat.</para>
/// </remarks>
public static class LayerNaming
{
    /// <summary>The readable name of each layer, in the order given (execution order, each layer after its inputs).</summary>
    public static ImmutableArray<string> Derive(IReadOnlyList<NamedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < layers.Count; i++)
        {
            index[layers[i].Name] = i;
        }

        var names = new string?[layers.Count];
        int stage = 0, block = -1, start = 0;
        for (int end = 0; end < layers.Count; end++)
        {
            NamedLayer add = layers[end];
            if (add.Type != "add" || add.Inputs.Length != 2 || add.Inputs[0] == add.Inputs[1])
            {
                continue;
            }

            // The branches: layers of this block reached backwards from each input of the add.
            SortedSet<int> first = Reach(layers, index, add.Inputs[0], start);
            SortedSet<int> second = Reach(layers, index, add.Inputs[1], start);
            // What both branches read comes before the block (the stem, or layers between blocks).
            var common = new SortedSet<int>(first.Intersect(second));
            first.ExceptWith(common);
            second.ExceptWith(common);
            SortedSet<int> main = first.Count < second.Count ? second : first;
            SortedSet<int> downsample = first.Count < second.Count ? first : second;

            if (block < 0 || downsample.Count > 0)
            {
                stage++;
                block = 0;
            }
            else
            {
                block++;
            }

            string prefix = string.Create(CultureInfo.InvariantCulture, $"layer{stage}.{block}.");
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (int i in main)
            {
                names[i] = prefix + Counted(counts, Kind(layers[i].Type));
            }

            int part = 0;
            foreach (int i in downsample)
            {
                names[i] = downsample.Count == 1 ? prefix + "downsample" : string.Create(CultureInfo.InvariantCulture, $"{prefix}downsample.{part++}");
            }

            names[end] = prefix + "add";
            start = end + 1;
        }

        var outside = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<string>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            string name = names[i] ?? Counted(outside, Kind(layers[i].Type));
            string unique = name;
            for (int n = 2; !used.Add(unique); n++)
            {
                unique = string.Create(CultureInfo.InvariantCulture, $"{name}_{n}");
            }

            result.Add(unique);
        }

        return result.MoveToImmutable();
    }

    /// <summary>The layers from <paramref name="start"/> on that <paramref name="from"/> is or reads, directly or not.</summary>
    private static SortedSet<int> Reach(IReadOnlyList<NamedLayer> layers, Dictionary<string, int> index, string from, int start)
    {
        var found = new SortedSet<int>();
        var pending = new Stack<string>([from]);
        while (pending.Count > 0)
        {
            if (index.TryGetValue(pending.Pop(), out int i) && i >= start && found.Add(i))
            {
                foreach (string input in layers[i].Inputs)
                {
                    pending.Push(input);
                }
            }
        }

        return found;
    }

    private static string Kind(string type) => type is "max_pool" or "avg_pool" ? "pool" : type;

    private static string Counted(Dictionary<string, int> counts, string kind)
    {
        int n = counts.GetValueOrDefault(kind) + 1;
        counts[kind] = n;
        return string.Create(CultureInfo.InvariantCulture, $"{kind}{n}");
    }
}
