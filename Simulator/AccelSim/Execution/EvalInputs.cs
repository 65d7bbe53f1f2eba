using System.Collections.Immutable;
using System.IO.Enumeration;
using AccelSim.Numerics;
using AccelSim.Tensors;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>One input of an evaluation: an image file, or one item of a .npy tensor (its first axis), or a seeded
/// synthetic image.</summary>
/// <param name="Name">How results name it: the path as found (relative to a folder given), with <c>[i]</c> for the
/// i-th item of a .npy batch, or <c>synthetic:SEED</c>.</param>
/// <param name="Path">The file read; empty for a synthetic image.</param>
/// <param name="Item">The item of a .npy file; the seed of a synthetic image; 0 for an image file.</param>
public sealed record EvalInput(string Name, string Path, int Item);

/// <summary>The inputs an evaluation runs: <c>--inputs</c> read as a folder, a glob, one file, or <c>synthetic:N</c>,
/// and each input prepared as the workload says.</summary>
public sealed class EvalInputs
{
    /// <summary>The image files read (by extension, case-insensitively); stb_image decodes both.</summary>
    public static readonly ImmutableArray<string> ImageExtensions = [".png", ".jpg", ".jpeg"];

    private const string SyntheticPrefix = "synthetic:";

    private readonly Network _network;
    private readonly Dictionary<string, NpyArray> _arrays;

    private EvalInputs(Network network, ImmutableArray<EvalInput> items, Dictionary<string, NpyArray> arrays)
    {
        _network = network;
        Items = items;
        _arrays = arrays;
    }

    /// <summary>Every input, in order: files sorted ordinally by name, .npy items in file order.</summary>
    public ImmutableArray<EvalInput> Items { get; }

    /// <summary>
    /// Finds the inputs <paramref name="spec"/> names: a folder (its image and .npy files, all subfolders, sorted by
    /// relative path), a glob in the file name (<c>*</c> and <c>?</c>, e.g. <c>images/*.png</c>), one file, or
    /// <c>synthetic:N</c> (N seeded images, seeds 1..N, prepared as the workload's own images are).
    /// </summary>
    /// <param name="network">The network (batch 1) whose input shape every input must have.</param>
    /// <param name="limit">At most this many inputs (the first ones); null for all.</param>
    /// <exception cref="NpyFormatException">Nothing found, a file of another kind, or a tensor of the wrong shape.</exception>
    public static EvalInputs Find(string spec, Network network, int? limit)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(network);
        var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        var items = new List<EvalInput>();
        int max = limit ?? int.MaxValue;
        if (spec.StartsWith(SyntheticPrefix, StringComparison.Ordinal))
        {
            if (!int.TryParse(spec.AsSpan(SyntheticPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count)
                || count < 1)
            {
                throw new NpyFormatException($"--inputs {spec}: synthetic inputs are written synthetic:N with N at least 1");
            }

            for (int seed = 1; seed <= Math.Min(count, max); seed++)
            {
                items.Add(new EvalInput($"{SyntheticPrefix}{seed}", "", seed));
            }

            return new EvalInputs(network, [.. items], arrays);
        }

        foreach ((string name, string path) in Files(spec))
        {
            if (items.Count >= max)
            {
                break;
            }

            if (System.IO.Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
            {
                NpyArray array = NpyFile.Read(path);
                int count = ItemCount(path, array, network.InputShape);
                arrays[path] = array;
                for (int i = 0; i < count && items.Count < max; i++)
                {
                    items.Add(new EvalInput(count == 1 && array.Shape.Length == 3 ? name : $"{name}[{i}]", path, i));
                }
            }
            else
            {
                // Checked from the header before any work, so a wrong image fails the run at once, not hours into it.
                (int width, int height) = ImageFile.Size(path);
                TensorShape shape = network.InputShape;
                if ((width, height) != (shape.Width, shape.Height))
                {
                    throw new NpyFormatException(
                        $"{path}: the image is {width}x{height} (width x height); the network takes {shape.Width}x{shape.Height}: resize or crop it first");
                }

                items.Add(new EvalInput(name, path, 0));
            }
        }

        return new EvalInputs(network, [.. items], arrays);
    }

    /// <summary>The network input of one item, [1, C, H, W] in C order, prepared as the workload says.</summary>
    /// <exception cref="NpyFormatException">An image that cannot be decoded or has the wrong size.</exception>
    public float[] Tensor(EvalInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long elements = _network.InputShape.Elements;
        if (_arrays.TryGetValue(input.Path, out NpyArray? array))
        {
            return array.Values.AsSpan((int)(input.Item * elements), (int)elements).ToArray();
        }

        ImageInputs prepared = _network.Inputs as ImageInputs ?? new ImageInputs(new SyntheticImage(0), Bgr: false, Mean: ImageMean.None);
        ImageSource image = input.Path.Length == 0 ? new SyntheticImage((ulong)input.Item) : new PngImage(input.Path);
        return NetworkInputs.Tensor(_network with { Batch = 1, Inputs = prepared with { Image = image } });
    }

    /// <summary>The files of a folder, glob or file, with the names results give them, sorted ordinally by name.</summary>
    private static List<(string Name, string Path)> Files(string spec)
    {
        if (Directory.Exists(spec))
        {
            var found = Directory.EnumerateFiles(spec, "*", SearchOption.AllDirectories)
                .Select(path => (Name: System.IO.Path.GetRelativePath(spec, path).Replace('\\', '/'), Path: path))
                .Where(f => IsInput(f.Path))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            return found.Count > 0 ? found
                : throw new NpyFormatException($"--inputs {spec}: the folder holds no input (images {string.Join(", ", ImageExtensions)} or .npy tensors)");
        }

        string pattern = System.IO.Path.GetFileName(spec);
        if (pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal))
        {
            string folder = System.IO.Path.GetDirectoryName(spec) is { Length: > 0 } d ? d : ".";
            if (!Directory.Exists(folder))
            {
                throw new NpyFormatException($"--inputs {spec}: the folder {folder} does not exist");
            }

            var matched = Directory.EnumerateFiles(folder)
                .Where(path => FileSystemName.MatchesSimpleExpression(pattern, System.IO.Path.GetFileName(path), ignoreCase: false) && IsInput(path))
                .Select(path => (Name: System.IO.Path.Combine(System.IO.Path.GetDirectoryName(spec) ?? "", System.IO.Path.GetFileName(path)).Replace('\\', '/'), Path: path))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            return matched.Count > 0 ? matched
                : throw new NpyFormatException($"--inputs {spec}: no image ({string.Join(", ", ImageExtensions)}) or .npy file matches the pattern");
        }

        if (!File.Exists(spec))
        {
            throw new NpyFormatException($"--inputs {spec}: no such file or folder");
        }

        return IsInput(spec) ? [(spec.Replace('\\', '/'), spec)]
            : throw new NpyFormatException($"--inputs {spec}: not an input; give images ({string.Join(", ", ImageExtensions)}), .npy tensors, a folder of them, a glob or synthetic:N");
    }

    private static bool IsInput(string path)
    {
        string extension = System.IO.Path.GetExtension(path);
        return extension.Equals(".npy", StringComparison.OrdinalIgnoreCase) || ImageExtensions.Any(e => e.Equals(extension, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Items in a tensor of shape [C, H, W] (one) or [N, C, H, W] (N).</summary>
    private static int ItemCount(string path, NpyArray array, TensorShape input)
    {
        int[] shape = array.Shape;
        int[] item = shape.Length == 4 ? shape[1..] : shape;
        if (item.Length != 3 || (item[0], item[1], item[2]) != (input.Channels, input.Height, input.Width))
        {
            throw new NpyFormatException(
                $"{path}: shape ({string.Join(", ", shape)}); the network takes [N, {input.Channels}, {input.Height}, {input.Width}] or [{input.Channels}, {input.Height}, {input.Width}]");
        }

        return shape.Length == 4 ? shape[0] : 1;
    }
}
