using AccelSim.Files;
using StbImageSharp;

namespace AccelSim.Tensors;

/// <summary>8-bit images: PNG files decoded, and seeded synthetic ones. Pixels are interleaved, row by row (HWC).</summary>
public static class ImageFile
{
    /// <summary>Decodes a PNG (or another format stb_image reads) to <paramref name="channels"/> (1 grey or 3 RGB) per pixel.</summary>
    /// <exception cref="NpyFormatException">The file cannot be read or decoded.</exception>
    public static (byte[] Pixels, int Height, int Width) Read(string path, int channels)
    {
        if (channels is not (1 or 3))
        {
            throw new NpyFormatException($"{path}: an image feeds a network with 1 (grey) or 3 (colour) input channels; this one has {channels}");
        }

        try
        {
            ImageResult image = ImageResult.FromMemory(InputFile.ReadAllBytes(path, InputLimit.Image), channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
            return (image.Data, image.Height, image.Width);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            throw new NpyFormatException($"{path}: cannot read the image: {e.Message}");
        }
    }

    /// <summary>The width and height of an image, read from its header without decoding its pixels.</summary>
    /// <exception cref="NpyFormatException">The file cannot be read or is not an image stb_image reads.</exception>
    public static (int Width, int Height) Size(string path)
    {
        try
        {
            using FileStream stream = InputFile.OpenRead(path, InputLimit.Image);
            return ImageInfo.FromStream(stream) is { } info ? (info.Width, info.Height)
                : throw new NpyFormatException($"{path}: not an image that can be read (PNG or JPEG)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            throw new NpyFormatException($"{path}: cannot read the image: {e.Message}");
        }
    }

    /// <summary>Fills <paramref name="pixels"/> with uniformly drawn bytes from SplitMix64 seeded with <paramref name="seed"/>
    /// (the top byte of each draw), so the image is the same on every machine.</summary>
    public static void Synthetic(ulong seed, Span<byte> pixels)
    {
        ulong state = seed;
        for (int i = 0; i < pixels.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            pixels[i] = (byte)((z ^ (z >> 31)) >> 56);
        }
    }
}
