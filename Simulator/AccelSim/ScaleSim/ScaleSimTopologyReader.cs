using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

/// <summary>Reads a SCALE-Sim v2 topology CSV into a network of independent conv layers, with file:line:column errors.</summary>
/// <remarks>
/// Rows are read as SCALE-Sim reads them (split at every comma, no quoting, so not RFC 4180 and not a CSV library's job):
/// the first line is a header, blank lines are skipped, and the last field of a row is dropped, so a row must end with a
/// comma. Two forms, told apart by the header: convolution (<c>name, IFMAP H, IFMAP W, Filter H, Filter W, Channels,
/// Num Filter, Stride H[, Stride W]</c>; a missing Stride W equals Stride H) and GEMM (<c>name, M, N, K</c>, a 4-field
/// header), which SCALE-Sim turns into the conv <c>H = M, W = K, 1×K filter, 1 channel, N filters, stride 1</c>. A layer
/// whose name contains <c>DP</c> is expanded into one single-channel layer per channel, named
/// <c>&lt;name&gt;Channel_&lt;i&gt;</c>, as SCALE-Sim does. SCALE-Sim has no padding: the input sizes are taken as
/// already padded. Every layer reads the network input (layers are simulated independently, as in SCALE-Sim), and the
/// topology carries no data, so runs of it are timing only.
/// </remarks>
public static class ScaleSimTopologyReader
{
    /// <summary>The largest size, channel or filter count of a row, as a YAML workload's extents.</summary>
    private const int MaxExtent = 65536;

    /// <summary>The most elements of one tensor of a layer.</summary>
    private const long MaxTensorElements = 1L << 31;

    public static Network Read(string path)
    {
        string[] lines;
        try
        {
            lines = AccelSim.Files.InputFile.ReadAllLines(path, AccelSim.Files.InputLimit.ScaleSim);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(new ConfigError(path, 1, 1, $"cannot read the SCALE-Sim topology: {e.Message}"));
        }

        if (lines.Length == 0)
        {
            throw new ConfigException(new ConfigError(path, 1, 1, "empty topology: expected a header line and one row per layer"));
        }

        bool gemm = lines[0].TrimEnd().TrimEnd(',').Split(',').Length == 4;
        var errors = new List<ConfigError>();
        var layers = ImmutableArray.CreateBuilder<Layer>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 1; i < lines.Length; i++)
        {
            string raw = lines[i];
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            if (ReadRow(path, i + 1, raw, gemm, errors) is { } row)
            {
                AddLayers(path, i + 1, row, layers, names, errors);
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        if (layers.Count == 0)
        {
            throw new ConfigException(new ConfigError(path, 1, 1, "no layers: expected one row per layer after the header"));
        }

        return new Network
        {
            Name = Path.GetFileNameWithoutExtension(path),
            Batch = 1,
            InputShape = layers[0].InputShape,
            Inputs = new SyntheticInputs(0),
            Layers = layers.ToImmutable(),
        };
    }

    /// <summary>One row, checked: its name, where the name starts, and its conv numbers in the order H, W, Fh, Fw, C, N, Sh,
    /// Sw (a GEMM row already turned into its conv).</summary>
    private sealed record TopologyRow(string Name, int NameColumn, int[] Conv);

    /// <summary>Reads the row on 1-based <paramref name="line"/>; null when it has errors, which are added to <paramref name="errors"/>.</summary>
    private static TopologyRow? ReadRow(string path, int line, string raw, bool gemm, List<ConfigError> errors)
    {
        List<(string Text, int Column)> fields = Fields(raw);
        if (fields[^1].Text.Length > 0)
        {
            errors.Add(new ConfigError(path, line, raw.TrimEnd().Length + 1, "a row must end with ',': SCALE-Sim drops the last field of every row"));
            return null;
        }

        fields.RemoveAt(fields.Count - 1);
        int expectedMin = gemm ? 4 : 8;
        int expectedMax = gemm ? 4 : 9;
        if (fields.Count < expectedMin || fields.Count > expectedMax)
        {
            errors.Add(new ConfigError(path, line, 1, gemm
                ? $"{fields.Count} fields; a GEMM row is 'name, M, N, K,'"
                : $"{fields.Count} fields; a conv row is 'name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Stride Height[, Stride Width],'"));
            return null;
        }

        if (Numbers(path, line, fields, errors) is not { } numbers)
        {
            return null;
        }

        // H, W, Fh, Fw, C, N, Sh, Sw
        int[] conv = gemm
            ? [numbers[0], numbers[2], 1, numbers[2], 1, numbers[1], 1, 1]
            : [numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6], numbers.Length == 8 ? numbers[7] : numbers[6]];
        if (conv[2] > conv[0] || conv[3] > conv[1])
        {
            errors.Add(new ConfigError(path, line, fields[gemm ? 3 : 3].Column, "the filter is larger than the input (SCALE-Sim has no padding: give the padded input size)"));
            return null;
        }

        // Each tensor (input, weights, output) at most 2^31 elements, as a YAML workload's, so no count overflows.
        long input = (long)conv[0] * conv[1] * conv[4];
        long weights = (long)conv[2] * conv[3] * conv[4] * conv[5];
        long output = (((long)(conv[0] - conv[2]) / conv[6]) + 1) * (((long)(conv[1] - conv[3]) / conv[7]) + 1) * conv[5];
        if (Math.Max(input, Math.Max(weights, output)) > MaxTensorElements)
        {
            errors.Add(new ConfigError(path, line, fields[1].Column,
                $"the layer's tensors (input {input}, weights {weights}, output {output} elements) exceed {MaxTensorElements} (2^31) elements"));
            return null;
        }

        return new TopologyRow(fields[0].Text, fields[0].Column, conv);
    }

    /// <summary>Fields with their 1-based start columns, split at every comma; the last one is what follows the last comma,
    /// which SCALE-Sim drops.</summary>
    private static List<(string Text, int Column)> Fields(string raw)
    {
        var fields = new List<(string Text, int Column)>();
        int start = 0;
        for (int c = 0; c <= raw.Length; c++)
        {
            if (c == raw.Length || raw[c] == ',')
            {
                string piece = raw[start..c];
                fields.Add((piece.Trim(), start + 1 + (piece.Length - piece.TrimStart().Length)));
                start = c + 1;
            }
        }

        return fields;
    }

    /// <summary>The fields after the name as whole numbers ≥ 1; null when any is not, each reported.</summary>
    private static int[]? Numbers(string path, int line, List<(string Text, int Column)> fields, List<ConfigError> errors)
    {
        var numbers = new int[fields.Count - 1];
        bool ok = true;
        for (int f = 1; f < fields.Count; f++)
        {
            if (!int.TryParse(fields[f].Text, NumberStyles.None, CultureInfo.InvariantCulture, out numbers[f - 1]) || numbers[f - 1] < 1)
            {
                errors.Add(new ConfigError(path, line, fields[f].Column, $"'{fields[f].Text}' must be a whole number, at least 1"));
                ok = false;
            }
            else if (numbers[f - 1] > MaxExtent)
            {
                errors.Add(new ConfigError(path, line, fields[f].Column, $"'{fields[f].Text}' must be a whole number from 1 to {MaxExtent}"));
                ok = false;
            }
        }

        return ok ? numbers : null;
    }

    /// <summary>Adds the row's layer, or for a depthwise (<c>DP</c>) row one single-channel layer per channel; a name used
    /// before is reported and ends the row.</summary>
    private static void AddLayers(string path, int line, TopologyRow row, ImmutableArray<Layer>.Builder layers, HashSet<string> names, List<ConfigError> errors)
    {
        string name = row.Name;
        int[] conv = row.Conv;
        bool depthwise = name.Contains("DP", StringComparison.Ordinal);
        for (int channel = 0; channel < (depthwise ? conv[4] : 1); channel++)
        {
            string layerName = depthwise ? string.Create(CultureInfo.InvariantCulture, $"{name}Channel_{channel}") : name;
            if (!names.Add(layerName))
            {
                errors.Add(new ConfigError(path, line, row.NameColumn, $"layer name '{layerName}' is used twice"));
                break;
            }

            layers.Add(Layer(layerName, conv, depthwise ? 1 : conv[4], layers.Count));
        }
    }

    private static ConvLayer Layer(string name, int[] conv, int channels, int index)
    {
        // SCALE-Sim rounds its output size up: when the stride does not divide H − Fh, the last window hangs over the
        // bottom (right) edge. That overhang is bottom (right) padding here.
        ConvShape shape = ScaleSimShapes.Unpadded(conv[0], conv[1], conv[2], conv[3], channels, conv[5], conv[6], conv[7]);
        return new ConvLayer
        {
            Name = name,
            Inputs = [Network.InputName],
            InputShape = new TensorShape(channels, conv[0], conv[1]),
            OutputShape = new TensorShape(conv[5], shape.OutHeight, shape.OutWidth),
            OutputChannels = conv[5],
            KernelHeight = conv[2],
            KernelWidth = conv[3],
            StrideHeight = conv[6],
            StrideWidth = conv[7],
            PadTop = 0,
            PadLeft = 0,
            PadBottom = shape.PadBottom,
            PadRight = shape.PadRight,
            DilationHeight = 1,
            DilationWidth = 1,
            Groups = 1,
            HasBias = false,
            FusedRelu = false,
            Weights = new SyntheticWeights((ulong)index),
        };
    }
}
