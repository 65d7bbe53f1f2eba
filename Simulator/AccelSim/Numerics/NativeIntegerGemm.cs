using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AccelSim.Numerics;

/// <summary>oneDNN's <c>dnnl_gemm_u8s8s32</c> (unsigned bytes × signed bytes into int32, <c>libdnnl.so.2</c>) through
/// P/Invoke: the packed columns and weights of <see cref="IntegerGemm"/> multiplied by the widest integer dot-product
/// instructions oneDNN finds (AVX-512 VNNI where the CPU has it).</summary>
/// <remarks>
/// Used only when the library loads, reports a VNNI instruction set, and passes a probe at the extremes (every input byte
/// 255 against weights +127 and −127): oneDNN documents that without VNNI its kernels may saturate intermediate 16-bit
/// sums (<c>vpmaddubsw</c>), which the probe would catch. Each call sums at most <see cref="MaxStepLength"/> bytes of K,
/// so no int32 result can overflow (docs/numerics.md); longer K is summed in chunks added in int64.
/// </remarks>
internal static unsafe class NativeIntegerGemm
{
    /// <summary>The longest K one call sums: 66,304 · 255 · 127 = 2,147,255,040 ≤ 2³¹ − 1 (a multiple of 64).</summary>
    public const int MaxStepLength = 66_304;

    // dnnl_cpu_isa_t bits that mean a VNNI instruction set (avx512_core_vnni 0x67, avx2_vnni 0x407 in oneDNN 2.x).
    private const int VnniIsaBits = 0x440;
    private const int Success = 0;

    private static readonly Lazy<Binding?> Loaded = new(Load);

    /// <summary>Whether oneDNN is installed and usable exactly on this CPU.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>sums[n·rows + m] = Σ_j w[m, j]·u[n, j] − <paramref name="offset"/>·rowSums[m] over the padded K, exact:
    /// weights [rows × padded] as signed bytes, columns [count × padded] as unsigned bytes, handed to
    /// <paramref name="onTile"/> one tile at a time.</summary>
    /// <remarks>The product is cut into tiles of columns × rows, each one single-threaded oneDNN call per chunk of K,
    /// shared by up to <paramref name="threads"/> .NET threads: OpenMP's own threads wait by spinning, which costs much on
    /// shared cores. A tile's sums are made and handed over by one thread, while they are still in its cache; so are its
    /// columns prepared, where no other tile reads them.</remarks>
    public static void Multiply(
        ReadOnlySpan<sbyte> weights, int rows, ReadOnlySpan<byte> columns, int count, int padded, ReadOnlySpan<long> rowSums, long offset,
        int threads, IntegerGemm.TileSums onTile, Action<int, int>? prepareColumns = null)
    {
        Binding binding = Loaded.Value ?? throw new NotSupportedException("oneDNN (libdnnl.so.2) is not available");
        // One tile per thread, cut along columns where there are enough of them, else along rows (FC at batch 1):
        // every oneDNN call packs its operands again, so fewer, larger calls are faster.
        int workers = Math.Max(1, threads);
        bool byColumns = count >= 32 * workers;
        int columnTile = byColumns ? Tiles(count, workers) : count;
        int rowTile = byColumns ? rows : Math.Max(1, Tiles(Tiles(rows, workers), 16) * 16);
        int columnTiles = Tiles(count, columnTile);
        int tiles = columnTiles * Tiles(rows, rowTile);
        // Columns cut between tiles are prepared by their tile's thread; columns that several tiles read, beforehand.
        bool preparedPerTile = prepareColumns is not null && tiles == columnTiles;
        if (prepareColumns is not null && !preparedPerTile)
        {
            prepareColumns(0, count);
        }

        int failed = Success;
        fixed (sbyte* pw = weights)
        fixed (byte* pu = columns)
        fixed (long* ps = rowSums)
        {
            sbyte* w = pw;
            byte* u = pu;
            long* rowSum = ps;
            Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = workers }, tile =>
            {
                int n = tile % columnTiles * columnTile;
                int m = tile / columnTiles * rowTile;
                int nCount = Math.Min(columnTile, count - n);
                int mCount = Math.Min(rowTile, rows - m);
                int size = nCount * mCount;
                // Each call's int32 results go to a pooled buffer and are added into the tile's int64 sums.
                int[] step = System.Buffers.ArrayPool<int>.Shared.Rent(size);
                long[] sums = System.Buffers.ArrayPool<long>.Shared.Rent(size);
                try
                {
                    if (preparedPerTile)
                    {
                        prepareColumns!(n, nCount);
                    }

                    binding.SetThreads(1);
                    for (int from = 0; from < padded; from += MaxStepLength)
                    {
                        int length = Math.Min(MaxStepLength, padded - from);
                        fixed (int* c = step)
                        {
                            int status = binding.Gemm(nCount, mCount, length, u + ((long)n * padded) + from, padded, w + ((long)m * padded) + from, padded, c, mCount);
                            if (status != Success)
                            {
                                Interlocked.Exchange(ref failed, status);
                                return;
                            }
                        }

                        Accumulate(step, sums, nCount, mCount, first: from == 0, new ReadOnlySpan<long>(rowSum + m, mCount), offset);
                    }

                    onTile(n, nCount, m, mCount, sums.AsSpan(0, size));
                }
                finally
                {
                    System.Buffers.ArrayPool<int>.Shared.Return(step);
                    System.Buffers.ArrayPool<long>.Shared.Return(sums);
                }
            });
        }

        if (failed != Success)
        {
            throw new InvalidOperationException($"dnnl_gemm_u8s8s32 failed with status {failed}");
        }

        static int Tiles(int total, int tile) => (total + tile - 1) / tile;
    }

    /// <summary>Adds one call's int32 results into the tile's int64 sums; the first call sets them, less offset · Σ w of
    /// each row.</summary>
    private static void Accumulate(int[] step, long[] sums, int columns, int rows, bool first, ReadOnlySpan<long> rowSums, long offset)
    {
        for (int n = 0; n < columns; n++)
        {
            ReadOnlySpan<int> source = step.AsSpan(n * rows, rows);
            Span<long> target = sums.AsSpan(n * rows, rows);
            int m = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; m + 4 <= rows; m += 4)
                {
                    Vector256<long> value = Vector256.WidenLower(Vector128.Create(source.Slice(m, 4)).ToVector256Unsafe());
                    value = first ? value - (Vector256.Create(rowSums.Slice(m, 4)) * offset) : value + Vector256.Create((ReadOnlySpan<long>)target.Slice(m, 4));
                    value.CopyTo(target.Slice(m, 4));
                }
            }

            for (; m < rows; m++)
            {
                target[m] = first ? source[m] - (offset * rowSums[m]) : target[m] + source[m];
            }
        }
    }

    private sealed class Binding(nint gemm, nint setThreads)
    {
        public int Gemm(int m, int n, int k, byte* a, int lda, sbyte* b, int ldb, int* c, int ldc)
        {
            // Row-major C (m × n) = A (m × k) · Bᵀ, B stored n × k; no offsets, alpha 1 and beta 0 (a pure integer result).
            int zero = 0;
            var call = (delegate* unmanaged<byte, byte, byte, long, long, long, float, byte*, long, byte, sbyte*, long, sbyte, float, int*, long, int*, int>)gemm;
            return call((byte)'N', (byte)'T', (byte)'F', m, n, k, 1f, a, lda, 0, b, ldb, 0, 0f, c, ldc, &zero);
        }

        public void SetThreads(int threads)
        {
            if (setThreads != 0)
            {
                ((delegate* unmanaged<int, void>)setThreads)(threads);
            }
        }
    }

    private static Binding? Load()
    {
        if (!NativeLibrary.TryLoad("libdnnl.so.2", out nint library)
            || !NativeLibrary.TryGetExport(library, "dnnl_gemm_u8s8s32", out nint gemm)
            || !NativeLibrary.TryGetExport(library, "dnnl_get_effective_cpu_isa", out nint isa))
        {
            return null;
        }

        if ((((delegate* unmanaged<int>)isa)() & VnniIsaBits) == 0)
        {
            return null;
        }

        // oneDNN runs on OpenMP; its thread count is set per calling thread so the caller's degree of parallelism holds.
        nint setThreads = NativeLibrary.TryLoad("libgomp.so.1", out nint gomp) && NativeLibrary.TryGetExport(gomp, "omp_set_num_threads", out nint set) ? set : 0;
        var binding = new Binding(gemm, setThreads);
        return Probe(binding) ? binding : null;
    }

    /// <summary>Products at the extremes (255 · ±127 over K = 4,096, sums beyond 2²⁴ and odd) must come out exact.</summary>
    private static bool Probe(Binding binding)
    {
        const int k = 4096;
        var weights = new sbyte[2 * k];
        var columns = new byte[3 * k];
        for (int j = 0; j < k; j++)
        {
            weights[j] = 127;
            weights[k + j] = -127;
            columns[j] = 255;
            columns[k + j] = (byte)(j == 0 ? 254 : 255);
            columns[(2 * k) + j] = (byte)(j % 2 == 0 ? 255 : 1);
        }

        var sums = new long[6];
        try
        {
            Multiply2(binding, weights, columns, sums);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        long all = 255L * 127 * k;
        long oneLess = all - 127;
        long alternating = ((255L + 1) * 127 * k) / 2;
        return sums[0] == all && sums[1] == -all && sums[2] == oneLess && sums[3] == -oneLess && sums[4] == alternating && sums[5] == -alternating;

        static void Multiply2(Binding binding, sbyte[] w, byte[] u, long[] sums)
        {
            var c = new int[6];
            fixed (sbyte* pw = w)
            fixed (byte* pu = u)
            fixed (int* pc = c)
            {
                binding.SetThreads(1);
                int status = binding.Gemm(3, 2, k, pu, k, pw, k, pc, 2);
                if (status != Success)
                {
                    throw new InvalidOperationException($"dnnl_gemm_u8s8s32 failed with status {status}");
                }
            }

            for (int i = 0; i < 6; i++)
            {
                sums[i] = c[i];
            }
        }
    }
}
