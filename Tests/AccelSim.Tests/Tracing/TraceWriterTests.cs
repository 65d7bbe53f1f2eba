using System.Text.Json;
using AccelSim.Tracing;

namespace AccelSim.Tests.Tracing;

/// <summary>Each writer produces a file its viewers accept, and stops at the size cap with a notice, still well formed.</summary>
public sealed class TraceWriterTests : TraceTestBase
{
    private static LayerTrace SmallLayer(string name = "conv", long start = 0) => Layer(name, start, 100,
        slices:
        [
            new TraceSlice("pe_array", "ifmap", TraceCategory.Stall, start, 10),
            new TraceSlice("dram", "read ifmap", TraceCategory.DramRead, start, 10, 40, "bytes"),
            new TraceSlice("pe_array", "ifmap 0", TraceCategory.Compute, start + 10, 50, 800, "macs"),
            new TraceSlice("dram", "read weights", TraceCategory.DramRead, start + 10, 20, 80, "bytes"),
            new TraceSlice("pe_array", "output_drain", TraceCategory.Stall, start + 60, 40),
        ],
        counters: [new TraceCounter(TraceNames.DramBandwidth, start, 4), new TraceCounter(TraceNames.DramBandwidth, start + 30, 0)]);

    [Test]
    public void Perfetto_WritesTraceEvents_WithNamedTracksAndIntegerCycles()
    {
        string path = Path.Combine(Work, "t.json");
        using (var writer = new PerfettoJsonTraceWriter(path, 1 << 20, Metadata))
        {
            writer.WriteLayer(SmallLayer());
            writer.Complete();
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var events = document.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        var names = events.Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name")
            .Select(e => e.GetProperty("args").GetProperty("name").GetString()).ToList();
        var complete = events.Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Is.EqualTo(new[] { "layers", "pe_array", "dram" }), "tracks in first-use order, the layers first");
            Assert.That(complete, Has.Count.EqualTo(6), "the layer slice and the five others");
            Assert.That(complete.Select(e => e.GetProperty("ts").GetInt64()), Is.Ordered, "written in cycle order");
            Assert.That(complete.Single(e => e.GetProperty("name").GetString() == "ifmap 0").GetProperty("args").GetProperty("macs").GetInt64(), Is.EqualTo(800));
            Assert.That(events.Count(e => e.GetProperty("ph").GetString() == "C"), Is.EqualTo(2));
            Assert.That(document.RootElement.GetProperty("otherData").GetProperty("truncated").GetBoolean(), Is.False);
            Assert.That(Directory.GetFiles(Work), Is.EqualTo(new[] { path }), "no temporary file left");
        });
    }

    [Test]
    public void Perfetto_AtTheSizeCap_StopsWithANotice_AndStaysValidJson()
    {
        string path = Path.Combine(Work, "t.json");
        const long cap = 4096;
        using (var writer = new PerfettoJsonTraceWriter(path, cap, Metadata))
        {
            for (int i = 0; i < 100; i++)
            {
                writer.WriteLayer(SmallLayer($"l{i}", i * 100));
            }

            Assert.That(writer.Truncated, Is.True);
            writer.Complete();
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var other = document.RootElement.GetProperty("otherData");
        var notice = document.RootElement.GetProperty("traceEvents").EnumerateArray().Last();
        Assert.Multiple(() =>
        {
            Assert.That(other.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(notice.GetProperty("ph").GetString(), Is.EqualTo("i"));
            Assert.That(notice.GetProperty("name").GetString(), Does.StartWith("trace truncated: the size cap of 4096 bytes"));
            // The cap is checked before each record: one record, the notice and the trailer may follow it.
            Assert.That(new FileInfo(path).Length, Is.InRange(cap, cap + 1024));
        });
    }

    [Test]
    public void Vcd_DeclaresEverySignal_AndTimeOnlyMovesForward()
    {
        string path = Path.Combine(Work, "t.vcd");
        using (var writer = new VcdTraceWriter(path, 1 << 20, Metadata))
        {
            writer.WriteLayer(SmallLayer("a", 0));
            writer.WriteLayer(SmallLayer("b", 100));
            writer.Complete();
        }

        var lines = Lines(path);
        int end = lines.IndexOf("$enddefinitions $end");
        var declared = lines.Take(end).Where(l => l.StartsWith("$var ", StringComparison.Ordinal))
            .ToDictionary(l => l.Split(' ')[3], l => l.Split(' ')[4]);
        var times = lines.Skip(end).Where(l => l.StartsWith('#')).Select(l => long.Parse(l[1..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var changes = lines.Skip(end).Where(l => !l.StartsWith('#') && !l.StartsWith('$')).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(end, Is.GreaterThan(0));
            Assert.That(declared.Values, Is.EquivalentTo(new[] { "active", "busy", "busy", "stall_ifmap", "stall_output_drain", "bandwidth_bytes_per_cycle" }));
            Assert.That(times, Is.Ordered.And.Unique);
            Assert.That(changes.Select(c => c.StartsWith('r') ? c.Split(' ')[1] : c[1..]).Distinct(), Is.SubsetOf(declared.Keys));
            // Layer a ends at 100 where b starts: "active" must not drop to 0 at 100, so its only changes are the dump's 0 and the 1 at cycle 0;
            // likewise the DRAM read of a (0..10) meets the next one (10..30): busy rises at 0, falls at 30, rises at 100, falls at 130.
            string active = declared.Single(p => p.Value == "active").Key;
            Assert.That(changes.Count(c => c == "1" + active), Is.EqualTo(1));
        });
    }

    [Test]
    public void Vcd_AtTheSizeCap_EndsTheBodyWithACommentNotice()
    {
        string path = Path.Combine(Work, "t.vcd");
        using (var writer = new VcdTraceWriter(path, 200, Metadata))
        {
            for (int i = 0; i < 50; i++)
            {
                writer.WriteLayer(SmallLayer($"l{i}", i * 100));
            }

            writer.Complete();
        }

        var lines = Lines(path);
        Assert.That(lines[^1], Does.StartWith("$comment trace truncated: the size cap of 200 bytes"));
    }

    [Test]
    public void AddressCsv_ExpandsRunsOfAccessesIntoRowsPerCycleAndPort()
    {
        string path = Path.Combine(Work, "t.csv");
        using (var writer = new AddressCsvTraceWriter(path, 1 << 20))
        {
            writer.WriteLayer(Layer("l", 0, 100, accesses:
            [
                // 5 words, 2 ports: cycles 10 (i = 0, 1), 11 (2, 3), 12 (4); address 100 + i mod 3.
                new TraceAccess("ifmap.sram_read", 10, 5, 2, 100, 0, 3),
                // 3 beats moving 10 bytes from byte 4096: 4096 + floor(i·10/3) = 4096, 4099, 4102.
                new TraceAccess("dram.read", 11, 3, 1, 4096, 0, 3, 10, 3),
            ]));
            writer.Complete();
        }

        Assert.That(Lines(path), Is.EqualTo(new[]
        {
            "10,ifmap.sram_read,100,101",
            "11,ifmap.sram_read,102,100",
            "11,dram.read,4096",
            "12,ifmap.sram_read,101",
            "12,dram.read,4099",
            "13,dram.read,4102",
        }));
    }

    [Test]
    public void AddressCsv_KeepsOnlyRowsInsideTheWindow_AndCapsWithANotice()
    {
        string windowed = Path.Combine(Work, "w.csv");
        string capped = Path.Combine(Work, "c.csv");
        var access = new TraceAccess("ofmap.sram_write", 0, 1000, 1, 0, 0, 1000);
        using (var writer = new AddressCsvTraceWriter(windowed, 1 << 20))
        {
            writer.WriteLayer(Layer("l", 0, 1000, accesses: [access], filter: new TraceFilter { FromCycle = 5, ToCycle = 8 }));
            writer.Complete();
        }

        using (var writer = new AddressCsvTraceWriter(capped, 100))
        {
            writer.WriteLayer(Layer("l", 0, 1000, accesses: [access]));
            writer.Complete();
        }

        var cappedLines = Lines(capped);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(windowed), Is.EqualTo(new[] { "5,ofmap.sram_write,5", "6,ofmap.sram_write,6", "7,ofmap.sram_write,7" }));
            // "0,ofmap.sram_write,0\n" is 21 bytes and the next rows 21 too: after five rows (105 bytes) the cap of 100 is reached.
            Assert.That(cappedLines, Has.Length.EqualTo(6));
            Assert.That(cappedLines[^1], Is.EqualTo("# trace truncated: the size cap of 100 bytes was reached at cycle 5; later records are not written"));
        });
    }

    [Test]
    public void AWriterDisposedBeforeCompletion_LeavesNoFile()
    {
        string path = Path.Combine(Work, "t.json");
        using (var writer = new PerfettoJsonTraceWriter(path, 1 << 20, Metadata))
        {
            writer.WriteLayer(SmallLayer());
        }

        Assert.That(Directory.GetFileSystemEntries(Work), Is.Empty);
    }
}
