using System.Text.Json;
using AccelSim.Tensors;
using AccelSim.Tests.Support;
using SkiaSharp;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli;

/// <summary><c>accelsim eval</c> end to end on a few tiny inputs: images and a .npy batch, bad inputs, thread counts.</summary>
public sealed class EvalCliTests() : WorkFolderFixture("accelsim-evalcli-")
{
    /// <summary>A 3-channel 4x4 network: one 3x3 convolution (pad 1) to 4 channels, a 2x2 max pool, an FC layer to 6.</summary>
    private string Workload()
    {
        string path = Path.Combine(Work, "net.yaml");
        File.WriteAllText(path, """
            version: 1
            name: small
            input: { channels: 3, height: 4, width: 4 }
            batch: 1
            inputs:
              image: { synthetic: { seed: 3 } }
              channel_order: bgr
            weights: { synthetic: { seed: 5 } }
            layers:
              - { name: c1, type: conv, filters: 4, kernel: 3, padding: 1, relu: true }
              - { name: p1, type: max_pool, kernel: 2 }
              - { name: fc, type: fc, outputs: 6 }
            """);
        return path;
    }

    /// <summary>Two PNG images and one .npy holding a batch of two: four inputs.</summary>
    private string Inputs()
    {
        string folder = Path.Combine(Work, "inputs");
        Directory.CreateDirectory(folder);
        for (int n = 0; n < 2; n++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(4, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            for (int r = 0; r < 4; r++)
            {
                for (int c = 0; c < 4; c++)
                {
                    bitmap.SetPixel(c, r, new SKColor((byte)(40 * r + n), (byte)(60 * c), (byte)(200 - (30 * n))));
                }
            }

            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, $"img{n}.png"), data.ToArray());
        }

        float[] values = new float[2 * 3 * 4 * 4];
        AccelSim.Numerics.SyntheticTensors.StandardNormal(9, values);
        NpyFile.WriteFloat32(Path.Combine(folder, "batch.npy"), [2, 3, 4, 4], values);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an input: skipped");
        return folder;
    }

    private string[] Args(string inputs, string name, string threads, params string[] more) =>
        ["eval", "--config", Shipped("Configs/tiny.yaml"), "--workload", Workload(), "--inputs", inputs, "--threads", threads,
         "--json", Path.Combine(Work, name + ".json"), "--csv", Path.Combine(Work, name + ".csv"), .. more];

    [Test]
    public void Eval_OverImagesAndANpyBatch_WritesOneRowPerInput_TheSameWhateverTheThreads()
    {
        string inputs = Inputs();

        var (code, stdout, stderr) = Run(Args(inputs, "a", "1"));
        Assert.That(code, Is.Zero, stderr);
        Assert.That(Run(Args(inputs, "b", "2", "--no-table")).Code, Is.Zero);

        string[] rows = File.ReadAllLines(Path.Combine(Work, "a.csv"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Work, "a.json")));
        Assert.Multiple(() =>
        {
            // Names sorted ordinally: "batch.npy" < "img0.png" < "img1.png"; the .npy's items by index; notes.txt skipped.
            Assert.That(rows.Skip(1).Select(r => r.Split(',')[1]), Is.EqualTo(new[] { "batch.npy[0]", "batch.npy[1]", "img0.png", "img1.png" }));
            Assert.That(json.RootElement.GetProperty("inputs").GetInt32(), Is.EqualTo(4));
            Assert.That(json.RootElement.GetProperty("layers").GetArrayLength(), Is.EqualTo(3));
            Assert.That(stdout, Does.Contain("small on tiny: 4 inputs"));
            Assert.That(stderr, Does.Contain("inputs/s"));
            Assert.That(File.ReadAllBytes(Path.Combine(Work, "b.json")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Work, "a.json"))));
            Assert.That(File.ReadAllBytes(Path.Combine(Work, "b.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Work, "a.csv"))));
        });
    }

    [Test]
    public void Eval_Rerun_IntoItsFolder_ResumesEverything_AndWritesTheSameBytes()
    {
        string inputs = Inputs();
        string folder = Path.Combine(Work, "out");
        Assert.That(Run(Args(inputs, "a", "1", "-o", folder, "--limit", "3")).Code, Is.Zero);

        var (code, _, stderr) = Run(Args(inputs, "b", "2", "-o", folder, "--limit", "3"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, stderr);
            Assert.That(stderr, Does.Not.Contain("Eval progress"), "nothing left to run");
            Assert.That(File.ReadAllLines(Path.Combine(Work, "a.csv")), Has.Length.EqualTo(1 + 3), "--limit 3");
            Assert.That(File.ReadAllBytes(Path.Combine(Work, "b.json")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Work, "a.json"))));
        });
    }

    [Test]
    public void Eval_ANpyOfAnotherShape_IsBadInput()
    {
        string npy = Path.Combine(Work, "wrong.npy");
        NpyFile.WriteFloat32(npy, [2, 3, 5, 4], new float[2 * 3 * 5 * 4]);

        var (code, _, stderr) = Run(Args(npy, "a", "1"));

        AssertBadInput(code, stderr, $"{npy}: shape (2, 3, 5, 4); the network takes [N, 3, 4, 4] or [3, 4, 4]");
    }

    [Test]
    public void Eval_AFileOfAnotherKind_IsBadInput()
    {
        string text = Path.Combine(Work, "a.txt");
        File.WriteAllText(text, "x");

        var (code, _, stderr) = Run(Args(text, "a", "1"));

        AssertBadInput(code, stderr, "not an input; give images (.png, .jpg, .jpeg)");
    }

    [Test]
    public void Eval_AnImageOfAnotherSize_IsBadInput_NamingTheFile()
    {
        string folder = Path.Combine(Work, "big");
        Directory.CreateDirectory(folder);
        using (var bitmap = new SKBitmap(new SKImageInfo(5, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        using (var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90))
        {
            File.WriteAllBytes(Path.Combine(folder, "photo.jpg"), data.ToArray());
        }

        var (code, _, stderr) = Run(Args(folder, "a", "1"));

        AssertBadInput(code, stderr, "photo.jpg: the image is 5x4 (width x height); the network takes 4x4");
        Assert.That(stderr, Does.Not.Contain("Evaluating"), "found from the header, before any input runs");
    }

    [Test]
    public void Eval_APngThatIsNoImage_IsBadInput_NamingTheFile()
    {
        string png = Path.Combine(Work, "broken.png");
        File.WriteAllText(png, "not an image");

        var (code, _, stderr) = Run(Args(png, "a", "1"));

        AssertBadInput(code, stderr, $"{png}: not an image that can be read (PNG or JPEG)");
    }

    [Test]
    public void Eval_IntoAFolderOfAnotherEvaluation_IsBadInput_BeforeAnyWork()
    {
        string folder = Path.Combine(Work, "out");
        Assert.That(Run(Args("synthetic:1", "a", "1", "-o", folder)).Code, Is.Zero);

        var (code, _, stderr) = Run(Args("synthetic:2", "b", "1", "-o", folder));

        AssertBadInput(code, stderr, "records another evaluation");
        Assert.That(File.Exists(Path.Combine(Work, "b.json")), Is.False);
    }
}
