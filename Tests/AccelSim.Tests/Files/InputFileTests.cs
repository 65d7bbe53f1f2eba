using AccelSim.Files;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Files;

public sealed class InputFileTests() : WorkFolderFixture("accelsim-input-")
{
    [Test]
    public void RegularFile_AndALinkToOne_AreRead()
    {
        string file = Path.Combine(Work, "a.yaml");
        File.WriteAllText(file, "version: 1\n");
        string link = Path.Combine(Work, "link.yaml");
        File.CreateSymbolicLink(link, file);

        Assert.Multiple(() =>
        {
            Assert.That(InputFile.ReadAllText(file, InputLimit.Yaml), Is.EqualTo("version: 1\n"));
            Assert.That(InputFile.ReadAllText(link, InputLimit.Yaml), Is.EqualTo("version: 1\n"));
        });
    }

    [Test]
    public void CharacterDevice_IsRefusedNamingItsType_ThroughALinkToo()
    {
        // The file type is asked of Linux (statx); /dev/null is a character device of length 0, which the size check alone
        // would let through.
        Assume.That(OperatingSystem.IsLinux() && File.Exists("/dev/null"), "a Linux character device");
        string link = Path.Combine(Work, "null.yaml");
        File.CreateSymbolicLink(link, "/dev/null");

        Assert.Multiple(() =>
        {
            Assert.That(() => InputFile.Check("/dev/null", InputLimit.Yaml),
                Throws.TypeOf<InputFileException>().With.Message.EqualTo("is a character device, not a regular file; only regular files are read"));
            Assert.That(() => InputFile.Check(link, InputLimit.Yaml),
                Throws.TypeOf<InputFileException>().With.Message.Contains("is a character device"));
        });
    }

    [Test]
    public void Folder_AndMissingFile_AreRefused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => InputFile.Check(Work, InputLimit.Yaml), Throws.TypeOf<InputFileException>().With.Message.EqualTo("is a folder, not a file"));
            Assert.That(() => InputFile.Check(Path.Combine(Work, "none.yaml"), InputLimit.Yaml),
                Throws.TypeOf<InputFileException>().With.Message.EqualTo("file not found"));
        });
    }
}
