using AccelSim.Numerics;
using AccelSim.Tensors;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>The network's input tensor, [batch, C, H, W] in C order, from the workload's input source.</summary>
public static class NetworkInputs
{
    public static float[] Tensor(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        TensorShape shape = network.InputShape;
        int batch = network.Batch;
        float[] input = new float[shape.Elements * batch];
        switch (network.Inputs)
        {
            case SyntheticInputs synthetic:
                SyntheticTensors.StandardNormal(synthetic.Seed, input);
                return input;
            case NpyInputs npy:
                NpyArray array = NpyFile.Read(npy.Path);
                return array.Values.Length == input.Length
                    ? array.Values
                    : throw new NpyFormatException(
                        $"{npy.Path}: shape ({string.Join(", ", array.Shape)}) holds {array.Values.Length} values; the network input ({batch}x{shape}) needs {input.Length}");
            case ImageInputs image:
                return Image(image, shape, batch);
            default:
                throw new NotSupportedException($"input source {network.Inputs.GetType().Name} is not supported");
        }
    }

    /// <summary>Checks the input's file, if it has one, as <see cref="Tensor"/> would read it: an .npy file by its header,
    /// a PNG file by decoding it; synthetic inputs have none.</summary>
    /// <exception cref="NpyFormatException">The file cannot be read, or does not fit the network's input.</exception>
    public static void CheckFile(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        TensorShape shape = network.InputShape;
        switch (network.Inputs)
        {
            case NpyInputs npy:
                NpyHeader header = NpyFile.ReadHeader(npy.Path);
                long needed = shape.Elements * network.Batch;
                if (header.Elements != needed)
                {
                    throw new NpyFormatException(
                        $"{npy.Path}: shape ({string.Join(", ", header.Shape)}) holds {header.Elements} values; the network input ({network.Batch}x{shape}) needs {needed}");
                }

                break;
            case ImageInputs { Image: PngImage png }:
                (_, int height, int width) = ImageFile.Read(png.Path, shape.Channels);
                if ((height, width) != (shape.Height, shape.Width))
                {
                    throw new NpyFormatException(
                        $"{png.Path}: the image is {width}x{height} (width x height); the network takes {shape.Width}x{shape.Height}: resize or crop it first");
                }

                break;
        }
    }

    /// <summary>Every batch item gets the image (a synthetic one draws on for each item), as float 0..255, channels
    /// reordered, then the mean subtracted (in float, as the preprocessing graph of such networks does).</summary>
    private static float[] Image(ImageInputs source, TensorShape shape, int batch)
    {
        int c = shape.Channels, plane = shape.Height * shape.Width;
        byte[] pixels;
        switch (source.Image)
        {
            case SyntheticImage synthetic:
                pixels = new byte[shape.Elements * batch];
                ImageFile.Synthetic(synthetic.Seed, pixels);
                break;
            case PngImage png:
                (byte[] data, int height, int width) = ImageFile.Read(png.Path, c);
                if ((height, width) != (shape.Height, shape.Width))
                {
                    throw new NpyFormatException(
                        $"{png.Path}: the image is {width}x{height} (width x height); the network takes {shape.Width}x{shape.Height}: resize or crop it first");
                }

                pixels = new byte[shape.Elements * batch];
                for (int item = 0; item < batch; item++)
                {
                    data.CopyTo(pixels, item * data.Length);
                }

                break;
            default:
                throw new NotSupportedException($"image source {source.Image.GetType().Name} is not supported");
        }

        var tensor = new float[pixels.Length];
        float[] mean = [.. source.Mean.Values];
        for (int item = 0; item < batch; item++)
        {
            int itemStart = (int)(item * shape.Elements);
            for (int ch = 0; ch < c; ch++)
            {
                // Pixels are interleaved RGB; the network's channel ch reads image channel ch, or c-1-ch for BGR.
                int from = source.Bgr ? c - 1 - ch : ch;
                for (int p = 0; p < plane; p++)
                {
                    float value = pixels[itemStart + (p * c) + from];
                    float subtract = mean.Length == 0 ? 0f : mean.Length == c ? mean[ch] : mean[(ch * plane) + p];
                    tensor[itemStart + (ch * plane) + p] = value - subtract;
                }
            }
        }

        return tensor;
    }
}
