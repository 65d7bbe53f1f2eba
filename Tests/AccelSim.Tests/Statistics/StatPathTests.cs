using AccelSim.Statistics;

namespace AccelSim.Tests.Statistics;

public sealed class StatPathTests
{
    [TestCase("accel")]
    [TestCase("accel.gbuf.words_read")]
    [TestCase("pe_0_3.macs")]
    [TestCase("_.0")]
    public void IsValid_AcceptsLowerCaseSegmentsSeparatedByDots(string path) =>
        Assert.That(StatPath.IsValid(path), Is.True);

    [TestCase(null)]
    [TestCase("")]
    [TestCase(".")]
    [TestCase("accel.")]
    [TestCase(".accel")]
    [TestCase("accel..gbuf")]
    [TestCase("Accel.gbuf")]
    [TestCase("accel.gbuf-read")]
    [TestCase("accel gbuf")]
    [TestCase("accel/gbuf")]
    [TestCase("accel.grö")]
    public void IsValid_RejectsEverythingElse(string? path) =>
        Assert.That(StatPath.IsValid(path), Is.False);

    [TestCase("accel.gbuf", "accel.gbuf", true)]
    [TestCase("accel.gbuf.reads", "accel.gbuf", true)]
    [TestCase("accel.gbuf2.reads", "accel.gbuf", false)]
    [TestCase("accel.gbuf_x", "accel.gbuf", false)]
    [TestCase("accel", "accel.gbuf", false)]
    public void IsUnder_MatchesWholeSegments(string path, string prefix, bool expected) =>
        Assert.That(StatPath.IsUnder(path, prefix), Is.EqualTo(expected));
}
