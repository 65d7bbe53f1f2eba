using AccelSim.Cli;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Cli;

/// <summary>Which paths the command line looks up among the shipped files (Configs/, Workloads/) when they are not where
/// they are written, and which it takes as they are. The tests run inside the checkout, whose shipped files are found
/// upwards from the working folder, as an installed tool finds its own copies beside itself.</summary>
public sealed class ShippedPathTests
{
    [TestCase("Configs/tiny.yaml")]
    [TestCase("Workloads/tiny.yaml")]
    [TestCase("Configs/sweeps/pe_sram_resnet18.yaml")]
    public void MissingPathUnderAShippedFolder_IsTheShippedFile(string path)
    {
        string resolved = Commands.ResolveDefault(path);

        Assert.That(Path.GetFullPath(resolved), Is.EqualTo(Path.GetFullPath(Path.Combine(RepoPaths.Root, path))));
    }

    [TestCase("Configs/no_such_config.yaml")]
    [TestCase("Elsewhere/tiny.yaml")]
    [TestCase("tiny.yaml")]
    [TestCase("Configs/../Configs/tiny.yaml")]
    public void OtherPaths_AreTakenAsWritten(string path)
    {
        Assume.That(File.Exists(path), Is.False, "the working folder must not hold the file itself");

        Assert.That(Commands.ResolveDefault(path), Is.EqualTo(path));
    }

    [Test]
    public void AnExistingFile_IsTakenAsWritten_EvenUnderAShippedFolderName()
    {
        string path = Path.Combine(RepoPaths.Root, "Configs", "tiny.yaml");

        Assert.That(Commands.ResolveDefault(path), Is.EqualTo(path));
    }
}
