using System.Globalization;
using System.Text;

namespace AccelSim.Tracing;

/// <summary>Writes SCALE-Sim-style address traces: one row per cycle and port, <c>cycle,port,address,address,…</c>, in
/// cycle order, for the SRAM read and write ports and the DRAM channel.</summary>
/// <remarks>
/// Ports are <c>ifmap.sram_read</c>, <c>weights.sram_read</c> and <c>ofmap.sram_write</c> (word addresses, as many per
/// cycle as the buffer has ports) and <c>dram.read</c> and <c>dram.write</c> (byte addresses: the first byte the channel
/// moves that cycle). Rows have as many addresses as the port used that cycle; there is no header. A size-cap notice is
/// a last line starting with <c>#</c>. Rows are expanded from compact per-step records as each layer ends, so memory
/// holds one layer's records, not its rows.
/// </remarks>
public sealed class AddressCsvTraceWriter : TraceFileWriter
{
    private readonly StreamWriter _csv;
    private readonly char[] _number = new char[24];
    private long _bytes;

    public AddressCsvTraceWriter(string path, long maxBytes)
        : base(path, maxBytes)
    {
        _csv = new StreamWriter(Output, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" };
    }

    protected override long BytesWritten => _bytes;

    protected override void Write(LayerTrace layer)
    {
        TraceFilter filter = layer.Filter;
        var accesses = layer.Accesses;
        var active = new List<Cursor>();
        int next = 0;
        long cycle = 0;
        while (next < accesses.Length || active.Count > 0)
        {
            if (active.Count == 0)
            {
                cycle = Math.Max(cycle, accesses[next].StartCycle);
            }

            while (next < accesses.Length && accesses[next].StartCycle <= cycle)
            {
                active.Add(new Cursor(accesses[next++]));
            }

            if (cycle >= filter.ToCycle)
            {
                return;
            }

            bool inWindow = cycle >= filter.FromCycle;
            for (int i = 0; i < active.Count; i++)
            {
                Cursor cursor = active[i];
                long first = cursor.Next;
                long last = Math.Min(cursor.Access.Count, first + cursor.Access.PerCycle);
                if (inWindow)
                {
                    if (!Room(cycle))
                    {
                        return;
                    }

                    WriteRow(cycle, cursor.Access, first, last);
                }

                cursor.Next = last;
            }

            active.RemoveAll(c => c.Next >= c.Access.Count);
            cycle++;
        }
    }

    protected override void WriteTruncationNotice(long cycle)
    {
        string line = "# " + TruncationNotice(cycle);
        _csv.WriteLine(line);
        _bytes += line.Length + 1;
    }

    protected override void Finish() => _csv.Flush();

    protected override void DisposeWriters() => _csv.Dispose();

    private void WriteRow(long cycle, in TraceAccess access, long first, long last)
    {
        WriteNumber(cycle);
        _csv.Write(',');
        _csv.Write(access.Port);
        _bytes += 1 + access.Port.Length;
        for (long i = first; i < last; i++)
        {
            _csv.Write(',');
            _bytes++;
            WriteNumber(access.AddressAt(i));
        }

        _csv.Write('\n');
        _bytes++;
    }

    private void WriteNumber(long value)
    {
        value.TryFormat(_number, out int length, default, CultureInfo.InvariantCulture);
        _csv.Write(_number, 0, length);
        _bytes += length;
    }

    private sealed class Cursor(TraceAccess access)
    {
        public TraceAccess Access { get; } = access;

        /// <summary>Index of the next access to issue.</summary>
        public long Next { get; set; }
    }
}
