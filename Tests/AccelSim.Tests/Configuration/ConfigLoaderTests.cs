using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Configuration.SampleYaml;

namespace AccelSim.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void DeleteFolder() => _files.Dispose();

    // Sweep specs (Configs/sweeps/) are a format of their own, checked by SweepSpecReaderTests.
    private static IEnumerable<TestCaseData> ShippedFiles() =>
        Directory.EnumerateFiles(RepoPaths.Configs, "*.yaml", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(RepoPaths.Configs, path).StartsWith("sweeps" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Concat(Directory.EnumerateFiles(RepoPaths.Workloads, "*.yaml", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(path).SetName($"Shipped {Path.GetRelativePath(RepoPaths.Root, path)} validates"));

    [TestCaseSource(nameof(ShippedFiles))]
    public void EveryShippedFile_Validates(string path)
    {
        Assert.DoesNotThrow(() => ConfigLoader.Validate(path));
    }

    [Test]
    public void ShippedFiles_AreFound()
    {
        // Guards the TestCaseSource above against silently finding nothing.
        Assert.That(ShippedFiles().Count(), Is.GreaterThanOrEqualTo(6));
    }

    [TestCase("Configs/default.yaml", ConfigKind.Accelerator)]
    [TestCase("Configs/tiny.yaml", ConfigKind.Accelerator)]
    [TestCase("Configs/unified_buffer.yaml", ConfigKind.Accelerator)]
    [TestCase("Configs/energy/horowitz_45nm.yaml", ConfigKind.EnergyTable)]
    [TestCase("Workloads/vgg16.yaml", ConfigKind.Workload)]
    [TestCase("Workloads/resnet_block.yaml", ConfigKind.Workload)]
    public void DetectKind_GoesByTopLevelKeys(string relativePath, ConfigKind expected)
    {
        Assert.That(ConfigLoader.DetectKind(Path.Combine(RepoPaths.Root, relativePath)), Is.EqualTo(expected));
    }

    [Test]
    public void DetectKind_WithoutAMarkerKey_ListsTheMarkers()
    {
        string path = _files.Write("x.yaml", "version: 1\nname: nothing\n");

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.DetectKind(path));

        Assert.That(string.Join('\n', errors), Is.EqualTo("1:1: cannot tell what kind of file this is: it needs one of the top-level keys pe_array (hardware configuration), layers (workload), entries (energy table)"));
    }

    [Test]
    public void DetectKind_WithTwoMarkerKeys_IsAnError()
    {
        string path = _files.Write("x.yaml", "pe_array: {}\nlayers: []\n");

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.DetectKind(path));

        Assert.That(string.Join('\n', errors), Is.EqualTo("1:1: cannot tell what kind of file this is: it has the top-level keys pe_array (hardware configuration) and layers (workload); a file is of one kind"));
    }

    [Test]
    public void Validate_ReportsTheErrorsOfTheKindItDetects()
    {
        string path = _files.Write("net.yaml", WorkloadYaml.WithLine(10, "  - { name: fc1, type: fc }"));

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.Validate(path));

        Assert.That(string.Join('\n', errors), Is.EqualTo("10:5: layers.fc1.outputs is required: an integer from 1 to 1048576"));
    }

    [Test]
    public void Validate_OfAHardwareFile_AlsoValidatesItsEnergyTable()
    {
        _files.Write("energy/horowitz_45nm.yaml", EnergyTableYaml.WithLine(16, "  # (no dram_access)"));
        string path = _files.Write("hw.yaml", HardwareYaml);

        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigLoader.Validate(path))!;

        Assert.That((exception.Errors.Single().File, exception.Errors.Single().Message),
            Is.EqualTo((_files.EnergyTablePath, "energy table 'test_table' has no entry 'dram_access' (needed to price DRAM accesses); required entries: bfp_input_convert, bfp_output_convert, dram_access, fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, leakage_logic, leakage_sram, register_access, sram_access")));
    }

    private static IEnumerable<TestCaseData> EveryEntryPoint()
    {
        yield return new TestCaseData(new Action<string>(p => ConfigLoader.LoadAccelerator(p))).SetName("LoadAccelerator");
        yield return new TestCaseData(new Action<string>(p => ConfigLoader.LoadWorkload(p))).SetName("LoadWorkload");
        yield return new TestCaseData(new Action<string>(p => ConfigLoader.LoadEnergyTable(p))).SetName("LoadEnergyTable");
        yield return new TestCaseData(new Action<string>(p => ConfigLoader.DetectKind(p))).SetName("DetectKind");
        yield return new TestCaseData(new Action<string>(ConfigLoader.Validate)).SetName("Validate");
    }

    [TestCaseSource(nameof(EveryEntryPoint))]
    public void MissingFile_IsOneErrorAtOneOne(Action<string> load)
    {
        string path = Path.Combine(_files.Folder, "absent.yaml");

        ConfigException exception = Assert.Throws<ConfigException>(() => load(path))!;

        Assert.That(exception.Errors, Is.EqualTo(new[] { new ConfigError(path, 1, 1, "file not found") }));
    }

    [Test]
    public void Folder_IsNotAFile()
    {
        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadWorkload(_files.Folder))!;

        Assert.That(exception.Errors.Single().ToString(), Is.EqualTo($"{_files.Folder}:1:1: is a folder, not a file"));
    }

    [TestCase("version: 1\nname: \"abc\nclock_mhz: 5\n", 2, 7, "YAML syntax error: While scanning a multi-line double-quoted scalar, found wrong indentation.",
        TestName = "Unterminated quote")]
    [TestCase("version: 1\npe_array:\n  rows: 1\n cols: 2\n", 4, 2, "YAML syntax error: While parsing a block mapping, did not find expected key.",
        TestName = "Bad indentation")]
    [TestCase("version: 1\npe_array: { rows: 1, cols: 2\nname: x\n", 2, 26,
        "YAML syntax error: the parser could not go on after this point; look for an unclosed '{', '[' or quote, or a stray character",
        TestName = "Unclosed flow mapping")]
    [TestCase("version: 1\npe_array: [1, 2\n", 3, 1, "YAML syntax error: While parsing a flow sequence, did not find expected ',' or ']'.",
        TestName = "Unclosed flow list")]
    [TestCase("version: 1\n\tname: x\n", 1, 10, "YAML syntax error: While scanning a plain scalar, found a tab character that violate indentation.",
        TestName = "Tab indentation")]
    public void SyntaxError_IsReportedAtTheParserPosition(string yaml, int line, int column, string message)
    {
        string path = _files.Write("bad.yaml", yaml);

        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigLoader.LoadAccelerator(path))!;

        Assert.That(exception.Errors, Is.EqualTo(new[] { new ConfigError(path, line, column, message) }));
    }

    [TestCase("", "1:1: the file holds no YAML document; expected a mapping of keys", TestName = "Empty file")]
    [TestCase("# only a comment\n", "1:1: the file holds no YAML document; expected a mapping of keys", TestName = "Only a comment")]
    [TestCase("just text\n", "1:1: the file must be a mapping with keys version, name, input, batch, inputs, weights, layers, was 'just text'",
        TestName = "A scalar document")]
    [TestCase("- 1\n- 2\n", "1:1: the file must be a mapping with keys version, name, input, batch, inputs, weights, layers, was a list",
        TestName = "A list document")]
    public void FileWithoutAMapping_IsReported(string yaml, string expected)
    {
        string path = _files.Write("odd.yaml", yaml);

        Assert.That(string.Join('\n', ConfigFiles.ErrorsOf(() => ConfigLoader.LoadWorkload(path))), Is.EqualTo(expected));
    }

    [Test]
    public void SecondDocument_IsAnError()
    {
        string path = _files.Write("two.yaml", WorkloadYaml + "\n---\nversion: 1\n");

        Assert.That(string.Join('\n', ConfigFiles.ErrorsOf(() => ConfigLoader.LoadWorkload(path))), Is.EqualTo("11:1: a second YAML document ('---') is not allowed; a file holds exactly one document"));
    }

    [Test]
    public void AnchorsAndAliases_AreResolved()
    {
        string yaml = HardwareYaml
            .WithLine(9, "  ifmap: &buffer")
            .WithLine(14, "  weights: *buffer");

        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml));

        Assert.That(config.Buffers.Weights, Is.EqualTo(new SramConfig("weights", 65536, 512, 2, 1)));
    }

    [Test]
    public void UnknownAlias_IsReported()
    {
        string path = _files.Write("hw.yaml", HardwareYaml.WithLine(14, "  weights: *nothing"));

        Assert.That(string.Join('\n', ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path))), Is.EqualTo("14:12: alias '*nothing' refers to no anchor defined before it\n14:12: buffers.weights must be a mapping with keys capacity_bytes, word_bits, read_ports, write_ports, banks, was empty"));
    }

    [Test]
    public void ListAsAKey_IsReported()
    {
        string path = _files.Write("hw.yaml", HardwareYaml.WithLineAfter(1, "? [a, b]\n: 1"));

        Assert.That(string.Join('\n', ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path))), Is.EqualTo("2:3: a mapping key must be a plain name, not a list or mapping"));
    }

    [Test]
    public void DeepNesting_IsRefused_WithoutExhaustingTheStack()
    {
        string path = _files.Write("deep.yaml", "name: " + new string('[', 10_000) + new string(']', 10_000) + "\n");

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadWorkload(path));

        Assert.That(errors, Has.Some.Contains("nesting deeper than 64 levels is not allowed"));
    }

    [Test]
    public void BinaryGarbage_EndsAsAConfigException()
    {
        byte[] bytes = [.. Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) % 256))];
        string path = Path.Combine(_files.Folder, "garbage.yaml");
        File.WriteAllBytes(path, bytes);

        Assert.Throws<ConfigException>(() => ConfigLoader.Validate(path));
    }

    private static IEnumerable<TestCaseData> ShippedFilesToMutate() =>
        ShippedFiles().Select(c => new TestCaseData(c.Arguments[0]).SetName($"Mutated {Path.GetFileName((string)c.Arguments[0]!)} never escapes as another exception"));

    [TestCaseSource(nameof(ShippedFilesToMutate))]
    public void MutatedShippedFile_EitherLoadsOrFailsWithAConfigException(string shipped)
    {
        // Seeded edits that YAML parsers trip over: stray brackets, quotes, colons, tabs, dashes and deletions.
        string text = File.ReadAllText(shipped);
        var random = new Random(20_261_128);
        char[] inserts = ['{', '}', '[', ']', '"', '\'', ':', '\t', '-', '&', '*', '!', '?', '|', '>', '#', ',', '\n', ' '];
        var escaped = new List<string>();
        File.Copy(Path.Combine(RepoPaths.Configs, "energy", "horowitz_45nm.yaml"), _files.Write("Configs/energy/horowitz_45nm.yaml", ""), overwrite: true);
        for (int trial = 0; trial < 150; trial++)
        {
            var mutated = new System.Text.StringBuilder(text);
            for (int edit = 0; edit < 1 + (trial % 3); edit++)
            {
                int at = random.Next(mutated.Length);
                if (random.Next(3) == 0)
                {
                    mutated.Remove(at, 1);
                }
                else
                {
                    mutated.Insert(at, inserts[random.Next(inserts.Length)]);
                }
            }

            string path = _files.Write(Path.Combine(Path.GetRelativePath(RepoPaths.Root, Path.GetDirectoryName(shipped)!), Path.GetFileName(shipped)), mutated.ToString());
            try
            {
                ConfigLoader.Validate(path);
            }
            catch (ConfigException e) when (!e.Message.Contains(": could not be read", StringComparison.Ordinal))
            {
                // Expected for most mutations. "could not be read" is the loader's last-resort wrapping of an
                // unexpected exception, so it counts as an escape here.
            }
            catch (Exception e)
            {
                escaped.Add($"trial {trial}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.That(escaped, Is.Empty);
    }

    [Test]
    public void ConfigError_PrintsAsFileLineColumnMessage()
    {
        Assert.That(new ConfigError("Configs/x.yaml", 4, 9, "pe_array.rows must be an integer from 1 to 4096, was 0").ToString(),
            Is.EqualTo("Configs/x.yaml:4:9: pe_array.rows must be an integer from 1 to 4096, was 0"));
    }

    [Test]
    public void ConfigException_NeedsAtLeastOneError()
    {
        Assert.Throws<ArgumentException>(() => _ = new ConfigException(Array.Empty<ConfigError>()));
    }
}
