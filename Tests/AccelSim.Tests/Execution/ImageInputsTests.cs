using AccelSim.Cli;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tensors;
using AccelSim.Workloads;
using Google.Protobuf;
using Onnx;
using SkiaSharp;

namespace AccelSim.Tests.Execution;

/// <summary>Image inputs: a PNG or a seeded image, reordered to BGR and a mean from an ONNX initializer subtracted;
/// <c>run --input</c> swaps the image or the whole tensor.</summary>
public sealed class ImageInputsTests
{
    private string _dir = "";

    [SetUp]
    public void Create() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "accelsim-image-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Delete() => Directory.Delete(_dir, true);

    /// <summary>A 3-channel 2x3 input read as BGR, minus the per-channel mean [10, 20, 30] from mean.onnx.</summary>
    private string Workload()
    {
        WriteMean(10f, 20f, 30f);
        string path = Path.Combine(_dir, "w.yaml");
        File.WriteAllText(path, """
            version: 1
            name: image
            input: { channels: 3, height: 2, width: 3 }
            inputs:
              image: { synthetic: { seed: 3 } }
              channel_order: bgr
              mean: { onnx: { file: mean.onnx, tensor: m } }
            weights: { synthetic: { seed: 1 } }
            layers:
              - { name: c, type: conv, filters: 1, kernel: 1 }
            """);
        return path;
    }

    /// <summary>mean.onnx with the initializer m of dims [3] holding <paramref name="values"/>.</summary>
    private void WriteMean(params float[] values)
    {
        var mean = new TensorProto { Name = "m", DataType = 1 };
        mean.Dims.Add(3);
        mean.FloatData.AddRange(values);
        var graph = new GraphProto { Name = "prep" };
        graph.Initializer.Add(mean);
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        File.WriteAllBytes(Path.Combine(_dir, "mean.onnx"), new ModelProto { IrVersion = 7, Graph = graph }.ToByteArray());
    }

    [Test]
    public void Mean_IsSizedWhenTheWorkloadIsRead_AndItsValuesReadWhenFirstUsed()
    {
        // The size comes from the initializer's dims ([3]) at load; the values are read on first use, so a file
        // rewritten in between gives its new values [1, 2, 3] (a timing-only run never reads them).
        Network network = ConfigLoader.LoadWorkload(Workload());
        WriteMean(1f, 2f, 3f);

        var mean = ((ImageInputs)network.Inputs).Mean;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mean.Length, Is.EqualTo(3));
            Assert.That(mean.Values, Is.EqualTo(new[] { 1f, 2f, 3f }));
        }
    }

    [Test]
    public void MeanWithFewerValuesThanItsDims_IsAnErrorAndExitCode2_WhenUsed()
    {
        // dims [3] but two values: the timing-only run does not read them and succeeds; a run with numerics stops.
        string workload = Workload();
        WriteMean(10f, 20f);
        var stderr = new StringWriter();

        int timing = Commands.Build(new StringWriter(), new StringWriter()).Parse(["run", "-w", workload, "--no-numerics", "--quiet", "--no-table"]).Invoke();
        int numerics = Commands.Build(new StringWriter(), stderr).Parse(["run", "-w", workload, "--quiet", "--no-table"]).Invoke();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(timing, Is.EqualTo(0));
            Assert.That(numerics, Is.EqualTo(2));
            Assert.That(stderr.ToString().Trim(), Is.EqualTo("error: mean.onnx initializer 'm' holds 2 values but its dims (3) need 3"));
        }
    }

    [Test]
    public void Png_IsReorderedToBgr_AndTheMeanSubtracted()
    {
        // Pixel (row r, column c) has R = 100 + 10r + c, G = 50 + c, B = 200 - r; channel 0 of the tensor is blue.
        using var bitmap = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int r = 0; r < 2; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                bitmap.SetPixel(c, r, new SKColor((byte)(100 + (10 * r) + c), (byte)(50 + c), (byte)(200 - r)));
            }
        }

        string png = Path.Combine(_dir, "photo.png");
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
        {
            File.WriteAllBytes(png, data.ToArray());
        }

        Network network = Commands.WithInput(ConfigLoader.LoadWorkload(Workload()), png);

        // B − 10: 190 190 190 189 189 189; G − 20: 30 31 32 30 31 32; R − 30: 70 71 72 80 81 82.
        Assert.That(NetworkInputs.Tensor(network), Is.EqualTo(new float[]
        {
            190, 190, 190, 189, 189, 189,
            30, 31, 32, 30, 31, 32,
            70, 71, 72, 80, 81, 82,
        }));
    }

    [Test]
    public void SyntheticImage_IsSeededBytes_ThroughTheSamePreparation()
    {
        Network network = ConfigLoader.LoadWorkload(Workload());
        byte[] pixels = new byte[18];
        ImageFile.Synthetic(3, pixels);

        float[] tensor = NetworkInputs.Tensor(network);

        // Element (channel 0 = blue, pixel 4): byte 4·3 + 2 minus 10; (channel 2 = red, pixel 1): byte 1·3 + 0 minus 30.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tensor[4], Is.EqualTo(pixels[14] - 10f));
            Assert.That(tensor[12 + 1], Is.EqualTo(pixels[3] - 30f));
            Assert.That(pixels.Distinct().Count(), Is.GreaterThan(10), "seeded bytes, not a constant");
        }
    }

    [Test]
    public void Npy_ReplacesTheWholeInput()
    {
        string npy = Path.Combine(_dir, "x.npy");
        float[] values = [.. Enumerable.Range(0, 18).Select(i => i * 0.5f)];
        NpyFile.WriteFloat32(npy, [1, 3, 2, 3], values);

        Network network = Commands.WithInput(ConfigLoader.LoadWorkload(Workload()), npy);

        Assert.That(NetworkInputs.Tensor(network), Is.EqualTo(values));
    }

    [Test]
    public void PngOfAnotherSize_IsAnErrorAndExitCode2()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(4, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        string png = Path.Combine(_dir, "big.png");
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
        {
            File.WriteAllBytes(png, data.ToArray());
        }

        var stderr = new StringWriter();
        int code = Commands.Build(new StringWriter(), stderr).Parse(["run", "-w", Workload(), "--input", png, "--quiet", "--no-table"]).Invoke();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.ToString().Trim(), Is.EqualTo($"error: {png}: the image is 4x4 (width x height); the network takes 3x2: resize or crop it first"));
        }
    }

    [Test]
    public void MeanOfTheWrongSize_IsAConfigError()
    {
        // The mean has 3 values; a 1-channel 2x3 input takes 1 (per channel) or 6 (a mean image).
        string path = Workload();
        File.WriteAllText(path, File.ReadAllText(path).Replace("channels: 3,", "channels: 1,", StringComparison.Ordinal));

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.LoadWorkload(path));

        Assert.That(error!.Message, Does.Contain("inputs.mean has 3 values; the input 1x2x3 needs 1 (one per channel) or 6 (a mean image)"));
    }
}
