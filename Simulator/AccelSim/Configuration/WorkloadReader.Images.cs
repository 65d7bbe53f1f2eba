using AccelSim.Configuration.Yaml;
using AccelSim.Onnx;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// Image network inputs: the picture, its channel order and the mean subtracted from it.
internal static partial class WorkloadReader
{
    /// <summary>Reads <c>inputs: { image: { synthetic | png }, channel_order: rgb | bgr, mean: { onnx: { file | package, tensor } } }</c>.</summary>
    private static ImageInputs? ReadImageInputs(MapReader source, string baseDirectory)
    {
        if (source.Mapping("image", ImageSchema) is not { } image)
        {
            return null;
        }

        ImageSource? picture = null;
        if (image.Has("png") == image.Has("synthetic"))
        {
            image.Errors.Add(image.Anchor, "inputs.image needs exactly one source: synthetic: { seed: N } or png: FILE");
        }
        else if (image.Has("png"))
        {
            picture = image.Text("png") is { } file && ExistingFile(image, "png", file, baseDirectory) is { } path ? new PngImage(path) : null;
        }
        else
        {
            picture = image.Mapping("synthetic", SyntheticSchema) is { } synthetic && synthetic.Unsigned("seed") is { } seed ? new SyntheticImage(seed) : null;
        }

        bool? bgr = source.Has("channel_order") ? source.Choice("channel_order", ChannelOrders) : false;
        ImageMean? mean = source.Has("mean") ? ReadMean(source, baseDirectory) : ImageMean.None;
        return picture is null || bgr is null || mean is null ? null : new ImageInputs(picture, bgr.Value, mean);
    }

    /// <summary>A mean to subtract, from an ONNX model's initializer (a preprocessing model's mean image): its type and
    /// size are checked now, its values read when first used.</summary>
    private static ImageMean? ReadMean(MapReader source, string baseDirectory)
    {
        if (source.Mapping("mean", MeanSchema) is not { } mean || mean.Mapping("onnx", new MapSchema("file", "package", "tensor")) is not { } onnx)
        {
            return null;
        }

        string? tensor = onnx.Text("tensor");
        if (ModelPath(onnx, baseDirectory) is not { } path || tensor is null)
        {
            return null;
        }

        try
        {
            long length = OnnxImporter.InitializerLength(path, tensor);
            return new ImageMean(length, () => [.. OnnxImporter.ReadInitializer(path, tensor)]);
        }
        catch (OnnxFormatException e)
        {
            onnx.Errors.Add(onnx.Entry("tensor")!.Value, $"{onnx.Full("tensor")}: {e.Message}");
            return null;
        }
    }
}
