namespace AccelSim.Hardware;

/// <summary>DRAM banks with row buffers, for <see cref="DramChannel"/>: which bursts hit an open row, which must
/// precharge and activate one, and how many cycles that exposes.</summary>
/// <remarks>
/// Each tensor stream (ifmap, weights, ofmap, other) owns a 4 GiB region laid out in transfer order (the layout the
/// address traces use). Addresses interleave rows across banks: bank = (address / row) mod banks, row index =
/// address / (row · banks). A burst to a bank whose open row is another one costs a precharge and an activate
/// (to an idle bank, an activate). The first row opened by a transfer delays its data; later ones in the same transfer
/// overlap the data of the row before (another bank) and expose only what that row's data time does not cover. The
/// column (CAS) latency, <see cref="DramBankConfig.CasCycles"/>, is added to the channel's latency.
/// </remarks>
public sealed class DramBanks
{
    private readonly DramBankConfig _config;
    private readonly long[] _openRow;

    public DramBanks(DramBankConfig config)
    {
        _config = config;
        _openRow = Enumerable.Repeat(-1L, config.Banks).ToArray();
    }

    /// <summary>First byte address of a tensor stream's 4 GiB region: the streams of <see cref="ComponentId.DramStreams"/>
    /// in their order, then one region for everything else.</summary>
    public static long RegionBase(ComponentId stream)
    {
        int region = ComponentId.DramStreams.IndexOf(stream);
        return (long)(region < 0 ? ComponentId.DramStreams.Length : region) << 32;
    }

    /// <summary>The bursts of one transfer of <paramref name="bytes"/> from byte address <paramref name="start"/>: row
    /// hits, row misses, and the cycles the misses add before its data is out.</summary>
    public (long Hits, long Misses, long ExposedCycles) Access(long start, long bytes, double bytesPerCycle)
    {
        long hits = 0;
        long misses = 0;
        long exposed = 0;
        int previousBank = -1;
        long bytesSinceOpen = 0;
        long first = start - (start % _config.BurstBytes);
        for (long address = first; address < start + bytes; address += _config.BurstBytes)
        {
            long rowNumber = address / _config.RowBytes;
            int bank = (int)(rowNumber % _config.Banks);
            long row = rowNumber / _config.Banks;
            if (_openRow[bank] != row)
            {
                long penalty = (_openRow[bank] >= 0 ? _config.PrechargeCycles : 0) + _config.ActivateCycles;
                _openRow[bank] = row;
                misses++;

                // Opening a row in another bank overlaps the data still coming from the row before; the transfer's
                // first row, or a row in the same bank, cannot overlap anything.
                long covered = address == first || bank == previousBank ? 0 : (long)Math.Floor(bytesSinceOpen / bytesPerCycle);
                exposed += Math.Max(0, penalty - covered);
                bytesSinceOpen = 0;
            }
            else
            {
                hits++;
            }

            bytesSinceOpen += _config.BurstBytes;
            previousBank = bank;
        }

        return (hits, misses, exposed);
    }
}
