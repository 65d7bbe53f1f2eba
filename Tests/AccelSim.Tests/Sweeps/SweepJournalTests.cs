using System.Text;
using AccelSim.Sweeps;

namespace AccelSim.Tests.Sweeps;

public sealed class SweepJournalTests
{
    private string _path = "";

    private static readonly JournalHeader Header = new("0123456789abcdef", 10, new Shard(1, 3));

    private static readonly PointRecord Ok = new(1, "00000000000000aa", PointStatus.Ok, "", ["12", "inf", "0.5"],
        [["conv1", "conv", "7"], ["fc, \"last\" é", "fc", "1"]]);

    private static readonly PointRecord Invalid = new(4, "00000000000000bb", PointStatus.Invalid, "a.yaml:3:9: pe_array.rows must be ...", ["", "", ""], null);

    [SetUp]
    public void CreatePath() => _path = Path.Combine(Path.GetTempPath(), $"accelsim-journal-{Guid.NewGuid():N}.jsonl");

    [TearDown]
    public void DeleteFile() => File.Delete(_path);

    private void Write(params PointRecord[] records)
    {
        using var journal = SweepJournal.Open(_path, Header, 0);
        foreach (PointRecord record in records)
        {
            journal.Append(record);
        }
    }

    [Test]
    public void Records_RoundTripExactly()
    {
        Write(Ok, Invalid);

        JournalContents contents = SweepJournal.Read(_path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(contents.Header, Is.EqualTo(Header));
            Assert.That(contents.Records.Keys.Order(), Is.EqualTo(new[] { 1, 4 }));
            Assert.That(contents.Records[1].SameAs(Ok), Is.True);
            Assert.That(contents.Records[4].SameAs(Invalid), Is.True);
            Assert.That(contents.DamagedLines, Is.Zero);
            Assert.That(contents.ValidLength, Is.EqualTo(new FileInfo(_path).Length));
            Assert.That(File.ReadAllBytes(_path).All(b => b < 128), Is.True, "lines are ASCII (non-ASCII escaped)");
        }
    }

    [Test]
    public void TornLastLine_IsIgnoredAndCutOffWhenAppending()
    {
        Write(Ok);
        long complete = new FileInfo(_path).Length;
        File.AppendAllText(_path, "f00dfeedf00dfeed {\"point\":4,\"id\":\"00000000000000bb\",\"sta");

        JournalContents torn = SweepJournal.Read(_path);
        using (var journal = SweepJournal.Open(_path, Header, torn.ValidLength))
        {
            journal.Append(Invalid);
        }

        JournalContents after = SweepJournal.Read(_path);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(torn.ValidLength, Is.EqualTo(complete));
            Assert.That(torn.Records.Keys, Is.EqualTo(new[] { 1 }));
            Assert.That(after.Records.Keys.Order(), Is.EqualTo(new[] { 1, 4 }));
            Assert.That(after.DamagedLines, Is.Zero);
        }
    }

    [Test]
    public void DamagedCompleteLine_IsCountedAndItsPointDropped()
    {
        Write(Ok, Invalid);
        string text = File.ReadAllText(_path);
        File.WriteAllText(_path, text.Replace("\"status\":\"invalid\"", "\"status\":\"INVALID\"", StringComparison.Ordinal));

        JournalContents contents = SweepJournal.Read(_path);

        Assert.That((contents.Records.Keys.Single(), contents.DamagedLines), Is.EqualTo((1, 1)), "the hash no longer matches the line");
    }

    [Test]
    public void LaterRecordOfAPoint_ReplacesTheEarlierOne()
    {
        var withLayers = Ok;
        var withoutLayers = Ok with { Layers = null };
        Write(withoutLayers, withLayers);

        Assert.That(SweepJournal.Read(_path).Records[1].SameAs(withLayers), Is.True);
    }

    [Test]
    public void MissingOrEmptyFile_ReadsAsEmpty()
    {
        JournalContents missing = SweepJournal.Read(_path);
        File.WriteAllText(_path, "0123456789abcdef {\"kind\":\"accelsim-sweep-jour");
        JournalContents tornHeader = SweepJournal.Read(_path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((missing.Header, missing.Records.Count, missing.ValidLength), Is.EqualTo(((JournalHeader?)null, 0, 0L)));
            Assert.That((tornHeader.Header, tornHeader.ValidLength), Is.EqualTo(((JournalHeader?)null, 0L)), "a header cut short was never written");
        }
    }

    [Test]
    public void FileOfAnotherKind_IsRefused()
    {
        File.WriteAllText(_path, "point,id,status\n1,2,ok\n", Encoding.UTF8);

        Assert.Throws<InvalidDataException>(() => SweepJournal.Read(_path));
    }
}
