namespace AccelSim.Tests.Support;

public sealed class RepoPathsTests
{
    [Test]
    public void Root_HoldsTheSolution() =>
        Assert.That(File.Exists(Path.Combine(RepoPaths.Root, "AccelSim.sln")), Is.True);
}
