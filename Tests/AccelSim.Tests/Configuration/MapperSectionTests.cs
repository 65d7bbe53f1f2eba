using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Configuration;

/// <summary>The <c>mapper</c> section of an accelerator file, and <c>--set mapper.…</c>.</summary>
public sealed class MapperSectionTests
{
    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void DeleteFolder() => _files.Dispose();

    [Test]
    public void NoSection_IsThePrunedSearchUnderCycles_AsInCode()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(Path.Combine(RepoPaths.Configs, "default.yaml"));
        // A record built without setting Mapper (TestHardware.Tiny sets it to the heuristic for hand derivations).
        AcceleratorConfig tiny = TestHardware.Tiny();
        var inCode = new AcceleratorConfig
        {
            Name = tiny.Name, ClockMegahertz = tiny.ClockMegahertz, PeArray = tiny.PeArray, Buffers = tiny.Buffers, Dram = tiny.Dram,
            VectorUnit = tiny.VectorUnit, Bfp = tiny.Bfp, MaxCycles = tiny.MaxCycles,
        };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config.Mapper, Is.EqualTo(new MapperConfig(MapperSearch.Pruned, MapperObjective.Cycles, null)));
            Assert.That(inCode.Mapper, Is.EqualTo(config.Mapper), "a config built in code searches as a file without the section does");
        }
    }

    [Test]
    public void SectionWithoutSearch_SearchesByDefault_UnderItsObjective()
    {
        string path = _files.Write("hw.yaml", Tiny() + "mapper: { objective: energy }\n");

        Assert.That(ConfigLoader.LoadAccelerator(path).Mapper, Is.EqualTo(new MapperConfig(MapperSearch.Pruned, MapperObjective.Energy, null)));
    }

    [Test]
    public void Section_IsRead_AndOverridesSetEachKey()
    {
        string path = _files.Write("hw.yaml", Tiny() + "mapper: { search: exhaustive, objective: edp, budget: 12 }\n");

        AcceleratorConfig read = ConfigLoader.LoadAccelerator(path);
        AcceleratorConfig overridden = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "default.yaml"),
            [ConfigOverride.Parse("mapper.search=pruned"), ConfigOverride.Parse("mapper.objective=dram_bytes")]).Hardware;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Mapper, Is.EqualTo(new MapperConfig(MapperSearch.Exhaustive, MapperObjective.Edp, 12)));
            Assert.That(overridden.Mapper, Is.EqualTo(new MapperConfig(MapperSearch.Pruned, MapperObjective.DramBytes, null)));
        }
    }

    [Test]
    public void BadValues_AreReportedAtTheirPosition()
    {
        string path = _files.Write("hw.yaml", Tiny() + "mapper:\n  search: fastest\n  objective: area\n  budget: 0\n  order: 1\n");
        int first = Tiny().Split('\n').Length;

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path));

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            $"{first + 1}:11: mapper.search 'fastest' is not one of heuristic, exhaustive, pruned",
            $"{first + 2}:14: mapper.objective 'area' is not one of cycles, energy, edp, dram_bytes",
            $"{first + 3}:11: mapper.budget must be an integer from 1 to 1000000, was 0",
            $"{first + 4}:3: unknown key 'order' in mapper; allowed: search, objective, budget",
        }));
    }

    private string Tiny() => File.ReadAllText(Path.Combine(RepoPaths.Configs, "tiny.yaml")).Replace("energy/horowitz_45nm.yaml", _files.EnergyTablePath, StringComparison.Ordinal);
}
