namespace AccelSim.Tests.Support;

/// <summary>A test fixture with a fresh, empty temporary folder per test (<see cref="Work"/>), deleted after it.</summary>
/// <param name="prefix">The folder name's prefix, so a folder left by a killed test run says which fixture made it.</param>
public abstract class WorkFolderFixture(string prefix)
{
    /// <summary>The current test's folder; empty before <see cref="CreateWorkFolder"/> runs.</summary>
    protected string Work { get; private set; } = "";

    [SetUp]
    public void CreateWorkFolder()
    {
        Work = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Work);
    }

    [TearDown]
    public void DeleteWorkFolder() => Directory.Delete(Work, recursive: true);
}
