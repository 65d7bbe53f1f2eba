using AccelSim.Configuration.Yaml;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// Kernel, stride, padding and dilation values, and the output extent they give.
internal static partial class WorkloadReader
{
    /// <summary>Reads an int, meaning the same for height and width, or a list [height, width].</summary>
    private static (int H, int W)? ReadPair(MapReader layer, string key, IntRule rule, bool required, string alternative = "")
    {
        string description = $"{rule.Describe()}, or a list [height, width] of such integers{alternative}";
        if (layer.Value(key, required, description) is not { } node)
        {
            return null;
        }

        int?[]? values = ReadList(layer, key, node, rule, description, PairNames);
        return values switch
        {
            [{ } both] => (both, both),
            [{ } h, { } w] => (h, w),
            _ => null,
        };
    }

    /// <summary>Reads padding: an int for every side, [height, width], or [top, left, bottom, right].</summary>
    private static Padding? ReadPadding(MapReader layer)
    {
        string description = $"{PaddingRule.Describe()}, or a list [height, width] or [top, left, bottom, right] of such integers";
        if (layer.Value("padding", required: true, description) is not { } node)
        {
            return null;
        }

        string[] names = node is DocSequence { Items.Count: 4 } ? SideNames : PairNames;
        int?[]? values = ReadList(layer, "padding", node, PaddingRule, description, names);
        return values switch
        {
            [{ } all] => new Padding(all, all, all, all),
            [{ } h, { } w] => new Padding(h, w, h, w),
            [{ } top, { } left, { } bottom, { } right] => new Padding(top, left, bottom, right),
            _ => null,
        };
    }

    /// <summary>A scalar as a one-element array, or a list whose length is one of the lengths of <paramref name="itemNames"/> forms.</summary>
    private static int?[]? ReadList(MapReader layer, string key, DocNode node, IntRule rule, string description, string[] itemNames)
    {
        string full = layer.Full(key);
        if (node is DocSequence list)
        {
            bool lengthAllowed = list.Items.Count == itemNames.Length;
            if (!lengthAllowed)
            {
                layer.Errors.Add(node, $"{full} must be {description}, was a list of {list.Items.Count}");
                return null;
            }

            return [.. list.Items.Select((item, i) => Values.Int32(item, $"{full}[{i}] ({itemNames[i]})", rule, layer.Errors))];
        }

        if (Scalars.TryInteger(node, out long value) && rule.Accepts(value))
        {
            return [(int)value];
        }

        layer.Errors.Add(node, $"{full} must be {description}, was {Scalars.Describe(node)}");
        return null;
    }

    /// <summary>
    /// out = floor((in + pad_a + pad_b − dilation·(k − 1) − 1) / stride) + 1; reports and returns null when it is not
    /// positive, which happens exactly when the padded input is shorter than the dilated kernel.
    /// </summary>
    private static int? OutputExtent(MapReader layer, string label, string axis, int extent, int padBefore, int padAfter, int kernel, int stride, int dilation)
    {
        long dilatedKernel = ((long)dilation * (kernel - 1)) + 1;
        long span = (long)extent + padBefore + padAfter - dilatedKernel;
        long output = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
        if (output >= 1)
        {
            return (int)output;
        }

        layer.Errors.Add(layer.Anchor,
            $"{label} output {axis} would be {output}: the input {axis} {extent} plus padding {padBefore} + {padAfter} is smaller than the {(dilation > 1 ? "dilated " : "")}kernel {axis} {dilatedKernel}; use a smaller kernel{(dilation > 1 ? " or dilation" : "")}, or more padding");
        return null;
    }

    private readonly record struct Padding(int Top, int Left, int Bottom, int Right);
}
