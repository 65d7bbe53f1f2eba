using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using AccelSim.Cli;
using AccelSim.Configuration;
using AccelSim.Files;
using AccelSim.Tensors;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli.BadInput;

/// <summary>
/// Inputs built to break a parser: constraints nested past the stack, hostile <c>.npy</c> headers, files that are not
/// regular files or larger than any real input, and tabs as YAML indentation. Each is refused with exit 2 and a message
/// naming the file (and, where there is one, the line and column), never a stack trace.
/// </summary>
public sealed class ParserLimitsTests() : WorkFolderFixture("accelsim-limits-")
{
    /// <summary>Only a guard against a hang (a pipe opened for reading waits for a writer); no case comes near it.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static readonly byte[] NpyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static string TinyConfig => Shipped("Configs/tiny.yaml");

    private static string TinyWorkload => Shipped("Workloads/tiny.yaml");

    // ---- Constraint expressions ------------------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> DeepConstraints()
    {
        yield return new TestCaseData(new string('(', 100_000) + "1" + new string(')', 100_000) + " <= 2").SetName("Constraint_100000NestedParentheses");
        yield return new TestCaseData(new string('-', 200_000) + "1 <= 2").SetName("Constraint_200000UnaryMinusSigns");
        yield return new TestCaseData(string.Concat(Enumerable.Repeat("-(", 50_000)) + "1" + new string(')', 50_000) + " <= 2").SetName("Constraint_MinusAndParenthesesInterleaved");
        yield return new TestCaseData(new string('(', 65) + "1" + new string(')', 65) + " <= 2").SetName("Constraint_65NestedParentheses");
    }

    [TestCaseSource(nameof(DeepConstraints))]
    public void DeeplyNestedConstraint_IsRefusedAtThe65thLevel(string constraint)
    {
        string spec = WriteSpec($"constraints:\n  - \"{constraint}\"\n");

        var (code, stderr) = RunGuarded("sweep", spec, "-o", Path.Combine(Work, "out"));

        // The spec's constraint item is on line 10 (WriteSpec's 8 lines, then "constraints:"); its quote is at column 5,
        // so the expression's first character is column 6, and the 65th opener (offset 64) is column 6 + 64 = 70.
        AssertBadInput(code, stderr, $"{spec}:10:70: constraint \"");
        Assert.That(stderr, Does.Contain($"nest deeper than {ConstraintExpression.MaxDepth} levels"));
    }

    [Test]
    public void ConstraintNested64Deep_IsAccepted()
    {
        string text = new string('(', 32) + new string('-', 32) + "3" + new string(')', 32) + " == 3";

        ConstraintExpression? constraint = ConstraintExpression.Parse(text, out _, out string error);

        // 32 parentheses + 32 minus signs = 64 levels, the limit; an even number of minus signs leaves 3.
        Assert.That(constraint, Is.Not.Null, error);
        Assert.That(constraint!.Evaluate(_ => (null, "no keys"), out _, out _), Is.True);
    }

    [Test]
    public void ConstraintOfAHundredThousandTerms_IsEvaluatedWithoutRecursion()
    {
        string text = string.Join(" + ", Enumerable.Repeat("1", 100_000)) + " == 100000";

        ConstraintExpression? constraint = ConstraintExpression.Parse(text, out _, out string error);

        // 100,000 ones sum to 100,000; a left-deep tree of that many nodes would have recursed 100,000 frames deep.
        Assert.That(constraint, Is.Not.Null, error);
        Assert.That(constraint!.Evaluate(_ => (null, "no keys"), out _, out string detail), Is.True, detail);
    }

    // ---- .npy headers ----------------------------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> BadNpyFiles()
    {
        const string Good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        yield return new TestCaseData(Npy(2, Good, 8, declaredLength: 0xFFFFFFF0), "the header declares 4294967280 bytes; a .npy header may have at most 1048576")
            .SetName("Npy_V2HeaderLength0xFFFFFFF0");
        yield return new TestCaseData(Npy(3, Good, 8, declaredLength: 2 << 20), "the header declares 2097152 bytes; a .npy header may have at most 1048576")
            .SetName("Npy_V3HeaderOver1MiB");
        // Magic (6) + version (2) + length (2) = 10 bytes before the header; the file holds 10 + 64 + 8 = 82, leaving 72.
        yield return new TestCaseData(Npy(1, Good, 8, declaredLength: 65535), "the header declares 65535 bytes, longer than the 72 bytes left in the file")
            .SetName("Npy_V1HeaderLongerThanTheFile");
        yield return new TestCaseData(Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 8), "bad shape '(-1, 2)': each dimension is a whole number")
            .SetName("Npy_NegativeDimension");
        // 2147483647^3 * 4 bytes is about 4.0e28: far past any long, and refused exactly rather than wrapped around.
        yield return new TestCaseData(Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", 8),
            "needs 39614081201791936601413124092 bytes of data, the file has 8").SetName("Npy_ShapeProductPastLong");
        // 2^16 * 2^16 = 2^32 float32s: 2^34 bytes needed, which a 32-bit count would have wrapped to 0.
        yield return new TestCaseData(Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", 0),
            "needs 17179869184 bytes of data, the file has 0").SetName("Npy_ShapeThatWrapsA32BitCount");
        yield return new TestCaseData(Npy(1, Good, 12), "shape (2,) of <f4 needs 8 bytes of data, the file has 12").SetName("Npy_TrailingBytes");
        yield return new TestCaseData(Npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16), "dtype '<c8' is not supported")
            .SetName("Npy_UnsupportedDtype");
        yield return new TestCaseData(Npy(1, "{'fortran_order': False, 'shape': (2,), }", 8), "the header has no 'descr' entry").SetName("Npy_NoDtype");
        string dims65 = string.Join(", ", Enumerable.Repeat("1", 65));
        yield return new TestCaseData(Npy(1, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims65}), }}", 4), "has 65 dimensions; at most 64")
            .SetName("Npy_65Dimensions");
        yield return new TestCaseData(NpyMagic, "not a NumPy .npy file").SetName("Npy_TruncatedBeforeTheHeaderLength");
        yield return new TestCaseData(Npy(9, Good, 8), ".npy format version 9 is not supported").SetName("Npy_UnknownVersion");
    }

    [TestCaseSource(nameof(BadNpyFiles))]
    public void BadNpyHeader_IsRefusedWithWhatIsWrong(byte[] file, string problem)
    {
        string npy = Path.Combine(Work, "bad.npy");
        File.WriteAllBytes(npy, file);

        var (code, stderr) = RunGuarded("run", "-c", TinyConfig, "-w", TinyWorkload, "--input", npy, "--no-table");

        AssertBadInput(code, stderr, $"error: {npy}: ");
        Assert.That(stderr, Does.Contain(problem));
    }

    // ---- Files that are not regular files, or too large ------------------------------------------------------------

    /// <summary>Each input kind, as the command that reads it, with <c>{0}</c> standing for the file.</summary>
    private static readonly Dictionary<string, string[]> Readers = new(StringComparer.Ordinal)
    {
        ["config.yaml"] = ["run", "-c", "{0}", "-w", "{workload}", "--no-table"],
        ["workload.yaml"] = ["run", "-c", "{config}", "-w", "{0}", "--no-table"],
        ["spec.yaml"] = ["sweep", "{0}", "-o", "{out}"],
        ["scalesim.cfg"] = ["run", "-c", "{0}", "-w", "{workload}", "--no-table"],
        ["topology.csv"] = ["run", "-c", "{config}", "-w", "{0}", "--no-table"],
        ["input.npy"] = ["run", "-c", "{config}", "-w", "{workload}", "--input", "{0}", "--no-table"],
        ["image.png"] = ["run", "-c", "{config}", "-w", "{rgb}", "--input", "{0}", "--no-table"],
        ["model.onnx"] = ["import", "onnx", "{0}", "-o", "{out}.yaml"],
        ["trace.json"] = ["trace", "summarize", "{0}"],
    };

    private static IEnumerable<TestCaseData> EveryKind() => Readers.Keys.Select(k => new TestCaseData(k).SetArgDisplayNames(k));

    [TestCaseSource(nameof(EveryKind))]
    public void CharacterDevice_IsRefusedBeforeItIsRead(string name)
    {
        if (!File.Exists("/dev/zero"))
        {
            Assert.Ignore("no /dev/zero here");
        }

        // A link with the kind's extension, so that the command treats /dev/zero as that kind of file.
        string link = Path.Combine(Work, name);
        File.CreateSymbolicLink(link, "/dev/zero");

        var (code, stderr) = RunGuarded(Arguments(name, link));

        AssertBadInput(code, stderr, link);
        Assert.That(stderr, Does.Contain("is a character device, not a regular file"));
    }

    [TestCase("config.yaml")]
    [TestCase("input.npy")]
    [TestCase("spec.yaml")]
    public void NamedPipe_IsRefusedWithoutWaitingForAWriter(string name)
    {
        string fifo = Path.Combine(Work, name);
        if (!MakeFifo(fifo))
        {
            Assert.Ignore("mkfifo is not available here");
        }

        var (code, stderr) = RunGuarded(Arguments(name, fifo));

        AssertBadInput(code, stderr, fifo);
        Assert.That(stderr, Does.Contain("is a named pipe (FIFO), not a regular file"));
    }

    [TestCaseSource(nameof(EveryKind))]
    public void Folder_IsRefused(string name)
    {
        string folder = Path.Combine(Work, name);
        Directory.CreateDirectory(folder);

        var (code, stderr) = RunGuarded(Arguments(name, folder));

        AssertBadInput(code, stderr, folder);
    }

    [TestCaseSource(nameof(EveryKind))]
    public void FileLargerThanItsKindsLimit_IsRefusedWithTheLimit(string name)
    {
        InputLimit limit = Path.GetExtension(name) switch
        {
            ".yaml" => InputLimit.Yaml,
            ".cfg" or ".csv" => InputLimit.ScaleSim,
            ".npy" => InputLimit.Npy,
            ".png" => InputLimit.Image,
            ".onnx" => InputLimit.Onnx,
            _ => InputLimit.Trace,
        };
        string file = Path.Combine(Work, name);
        using (var stream = new FileStream(file, FileMode.CreateNew))
        {
            // Sparse: the length is set, no byte is written.
            stream.SetLength(limit.MaxBytes + 1);
        }

        var (code, stderr) = RunGuarded(Arguments(name, file));

        AssertBadInput(code, stderr, file);
        Assert.That(stderr, Does.Contain($"is {limit.MaxBytes + 1} bytes, larger than a {limit.Kind} may be ({limit.Describe()})"));
    }

    [Test]
    public void EnergyTableThatIsADevice_IsRefusedNamingTheTable()
    {
        if (!File.Exists("/dev/zero"))
        {
            Assert.Ignore("no /dev/zero here");
        }

        File.CreateSymbolicLink(Path.Combine(Work, "zero.yaml"), "/dev/zero");
        string config = Path.Combine(Work, "config.yaml");
        File.WriteAllText(config, File.ReadAllText(TinyConfig).Replace("energy/horowitz_45nm.yaml", "zero.yaml", StringComparison.Ordinal));

        var (code, stderr) = RunGuarded("run", "-c", config, "-w", TinyWorkload, "--no-table");

        AssertBadInput(code, stderr, Path.Combine(Work, "zero.yaml") + ":1:1: cannot read the file: is a character device");
    }

    // ---- Tabs as YAML indentation ----------------------------------------------------------------------------------

    [Test]
    public void TabIndentingAConfigKey_IsReportedWhereTheTabIs()
    {
        string config = Path.Combine(Work, "config.yaml");
        File.WriteAllText(config, "version: 1\nname: t\npe_array:\n\trows: 4\n");

        var (code, stderr) = RunGuarded("validate", config);

        // The tab opens line 4.
        AssertBadInput(code, stderr, $"{config}:4:1: a tab is used for indentation; YAML indents with spaces only");
    }

    [Test]
    public void TabIndentingAWorkloadKey_IsReportedWhereTheTabIs()
    {
        string workload = Path.Combine(Work, "workload.yaml");
        File.WriteAllText(workload, "version: 1\nname: t\ninput:\n\tchannels: 2\n");

        var (code, stderr) = RunGuarded("validate", workload);

        // The tab opens line 4.
        AssertBadInput(code, stderr, $"{workload}:4:1: a tab is used for indentation; YAML indents with spaces only");
    }

    [Test]
    public void TabInASweepSpecAxis_IsReportedWhereTheTabIs()
    {
        string spec = WriteSpec("");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\n      pe_array.rows", "\n\t    pe_array.rows", StringComparison.Ordinal));

        var (code, stderr) = RunGuarded("sweep", spec, "-o", Path.Combine(Work, "out"));

        // WriteSpec puts "pe_array.rows" on line 8; the tab now opens it.
        AssertBadInput(code, stderr, $"{spec}:8:1: a tab is used for indentation; YAML indents with spaces only");
    }

    // ---- Malformed YAML found by the mutation fuzz test -------------------------------------------------------------

    [Test]
    public void LineStartingWithAColonInABlockMapping_IsASyntaxErrorWhereTheParserLostTrack()
    {
        string config = Path.Combine(Work, "config.yaml");
        File.WriteAllText(config, "version: 1\nname: t\nbuffers:\n : ifmap: 1\n  weights: 2\n");

        var (code, stderr) = RunGuarded("validate", config);

        // The parser gives up at the key on line 5, column 3 ("  weights"), where it expected the value of line 4's empty key.
        AssertBadInput(code, stderr, $"{config}:5:3: YAML syntax error: a key or value is missing here");
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------------

    /// <summary>A sweep spec of 8 lines on tiny (its config and workload by absolute path), then <paramref name="tail"/>.</summary>
    private string WriteSpec(string tail)
    {
        string spec = Path.Combine(Work, "spec.yaml");
        File.WriteAllText(spec, $"""
            version: 1
            name: limits
            config: '{TinyConfig}'
            workloads: ['{TinyWorkload}']
            numerics: false
            axes:
              - grid:
                  pe_array.rows: [2, 4]

            """ + tail);
        return spec;
    }

    /// <summary>The command that reads a file of this kind, naming <paramref name="file"/>.</summary>
    private string[] Arguments(string kind, string file)
    {
        string rgb = Path.Combine(Work, "rgb.yaml");
        File.WriteAllText(rgb, File.ReadAllText(TinyWorkload).Replace("channels: 2", "channels: 3", StringComparison.Ordinal));
        return [.. Readers[kind].Select(a => a.Replace("{0}", file, StringComparison.Ordinal)
            .Replace("{config}", TinyConfig, StringComparison.Ordinal)
            .Replace("{workload}", TinyWorkload, StringComparison.Ordinal)
            .Replace("{rgb}", rgb, StringComparison.Ordinal)
            .Replace("{out}", Path.Combine(Work, "out"), StringComparison.Ordinal))];
    }

    /// <summary>A .npy file: magic, version, header length (as declared, or the header's), header padded to 64, data.</summary>
    private static byte[] Npy(int major, string dict, int dataBytes, long? declaredLength = null)
    {
        string header = dict.PadRight(63) + "\n";
        int lengthBytes = major == 1 ? 2 : 4;
        var bytes = new byte[8 + lengthBytes + header.Length + dataBytes];
        NpyMagic.CopyTo(bytes, 0);
        bytes[6] = (byte)major;
        long length = declaredLength ?? header.Length;
        if (lengthBytes == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)length);
        }

        Encoding.Latin1.GetBytes(header).CopyTo(bytes, 8 + lengthBytes);
        return bytes;
    }

    [Test]
    public void NpyInputOfTheWrongSize_IsRefusedBeforeAnyLayerIsTimed()
    {
        // 3 float32 values for the tiny network's 1×2×6×6 = 72 inputs. max_cycles = 10 stops the first layer's timing
        // (the network takes 708 cycles), so the .npy message shows the file was checked before any layer ran.
        string path = Path.Combine(Work, "short.npy");
        NpyFile.WriteFloat32(path, [3], [1f, 2f, 3f]);

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "-i", path, "--set", "max_cycles=10", "--no-table");

        AssertBadInput(code, stderr, $"{path}: shape (3) holds 3 values; the network input (1x2x6x6) needs 72");
    }

    [Test]
    public void NpyWeightsOfTheWrongSize_AreRefusedBeforeAnyLayerIsTimed()
    {
        // c1 has 4 filters × 2 channels × 3×3 = 4 × 18 = 72 weights; the file holds 3. As above, max_cycles = 10 would
        // stop the timing first.
        string weights = Path.Combine(Work, "w.npy");
        NpyFile.WriteFloat32(weights, [3], [1f, 2f, 3f]);
        string workload = Path.Combine(Work, "net.yaml");
        File.WriteAllText(workload, File.ReadAllText(Shipped("Workloads/tiny.yaml"))
            .Replace("relu: true }", "relu: true, weights: { npy: { weights: w.npy } } }", StringComparison.Ordinal));

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", workload, "--set", "max_cycles=10", "--no-table");

        AssertBadInput(code, stderr, "w.npy: shape (3) holds 3 values; layer 'c1' weights (4x18) needs 72");
    }

    private static bool MakeFifo(string path)
    {
        try
        {
            using Process? mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false });
            mkfifo?.WaitForExit();
            return mkfifo?.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Runs the command line on a worker thread, so that a read that blocks fails the test instead of hanging the suite.</summary>
    private static (int Code, string Err) RunGuarded(params string[] args)
    {
        var run = Task.Run(() => Run(args));
        Assert.That(run.Wait(HangGuard), Is.True, $"accelsim {string.Join(' ', args.Select(a => a.Length > 80 ? a[..80] + "…" : a))} did not return");
        return (run.Result.Code, run.Result.Err);
    }
}
