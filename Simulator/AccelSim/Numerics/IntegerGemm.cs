using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AccelSim.Numerics;

/// <summary>Which integer kernel computes the exact dot products of 8-bit mantissas (both operands within ±127).</summary>
public enum IntegerKernel
{
    /// <summary>Int16 pairs multiplied and added into int32 lanes (AVX2 <c>vpmaddwd</c>, scalar without AVX2): the
    /// earlier kernel, one tile of columns per thread.</summary>
    Pairs16,

    /// <summary>Bytes packed once per layer, four products per int32 lane per instruction (AVX-VNNI <c>vpdpbusd</c>),
    /// filters and columns in cache-sized blocks shared by the threads.</summary>
    Vnni,

    /// <summary>The same packed bytes and blocks as <see cref="Vnni"/>, summed by a scalar loop: the portable fallback.</summary>
    PackedScalar,

    /// <summary>The same packed bytes multiplied by oneDNN's <c>dnnl_gemm_u8s8s32</c> (<c>libdnnl.so.2</c>, AVX-512 VNNI
    /// where the CPU has it), one GEMM per layer group; only where the library loads and proves exact at the extremes.</summary>
    OneDnn,
}

/// <summary>Exact integer GEMM of 8-bit mantissas packed as bytes: weights as signed bytes, inputs offset by +128 as
/// unsigned bytes (what <c>vpdpbusd</c> multiplies), K padded to <see cref="KAlignment"/> with zero weights.</summary>
/// <remarks>
/// Σ w·x = Σ w·(x + 128) − 128·Σ w, so each filter's Σ w is kept beside its bytes. Exactness: x + 128 ∈ [1, 255] and
/// |w| ≤ 127, so one <c>vpdpbusd</c> adds at most 4 · 255 · 127 = 129,540 to an int32 lane; lanes are widened to int64
/// every <see cref="StepsPerWiden"/> = 16,384 instructions (16,384 · 129,540 = 2,122,383,360 &lt; 2³¹ − 1). Integer
/// addition is associative, so every kernel and every blocking gives the same exact sum; the tests hold them to the
/// scalar one.
/// </remarks>
public static class IntegerGemm
{
    /// <summary>K is padded to a multiple of this (two 256-bit vectors of bytes).</summary>
    public const int KAlignment = 64;

    /// <summary>The offset that makes an input mantissa in ±127 an unsigned byte.</summary>
    public const int InputOffset = 128;

    private const int StepsPerWiden = 16_384;

    /// <summary>The fastest kernel this machine runs: <see cref="IntegerKernel.OneDnn"/> where oneDNN is installed and
    /// exact, else <see cref="IntegerKernel.Vnni"/> with AVX-VNNI, else <see cref="IntegerKernel.Pairs16"/>.</summary>
    public static IntegerKernel Best =>
        NativeIntegerGemm.IsAvailable ? IntegerKernel.OneDnn : AvxVnni.IsSupported ? IntegerKernel.Vnni : IntegerKernel.Pairs16;

    /// <summary>Whether <paramref name="kernel"/> runs on this machine.</summary>
    public static bool IsSupported(IntegerKernel kernel) => kernel switch
    {
        IntegerKernel.Vnni => AvxVnni.IsSupported,
        IntegerKernel.OneDnn => NativeIntegerGemm.IsAvailable,
        _ => true,
    };

    /// <summary>Whether <paramref name="kernel"/> multiplies a whole group in one call (<see cref="Multiply"/>) rather
    /// than block by block (<see cref="Dot2x4"/>).</summary>
    public static bool IsWholeGemm(IntegerKernel kernel) => kernel == IntegerKernel.OneDnn;

    /// <summary>Receives one tile of <see cref="Multiply"/>'s exact sums: columns [firstColumn, firstColumn + columnCount)
    /// × rows [firstRow, firstRow + rowCount), as sums[n · rowCount + m] with n and m counted from the tile's corner.</summary>
    public delegate void TileSums(int firstColumn, int columnCount, int firstRow, int rowCount, ReadOnlySpan<long> sums);

    /// <summary>Every exact Σ w·x of <paramref name="rows"/> packed weight rows with <paramref name="count"/> packed
    /// columns, through oneDNN on up to <paramref name="threads"/> threads, handed over tile by tile to
    /// <paramref name="onTile"/> on the thread that made the tile (the tiles never overlap).</summary>
    /// <param name="prepareColumns">If given, called with (first column, count) to fill those packed columns before they
    /// are read, each column once: by the thread that multiplies them, or for all columns first when tiles share them.</param>
    public static void Multiply(
        ReadOnlySpan<sbyte> weights, ReadOnlySpan<long> rowSums, int rows, ReadOnlySpan<byte> columns, int count, int threads, TileSums onTile,
        Action<int, int>? prepareColumns = null)
    {
        int padded = weights.Length / rows;
        NativeIntegerGemm.Multiply(weights, rows, columns, count, padded, rowSums, InputOffset, threads, onTile, prepareColumns);
    }

    /// <summary>K rounded up to <see cref="KAlignment"/>.</summary>
    public static int PaddedLength(int k) => (k + KAlignment - 1) / KAlignment * KAlignment;

    /// <summary>Packs rows of mantissas [rows × k] (within ±127) as signed bytes [rows × padded k] and returns each row's Σ w.</summary>
    /// <param name="window">Kernel positions per input channel (K = channels · window, channel slowest): the bytes are
    /// stored window position slowest, channel fastest (<see cref="PackedIndex"/>), so a column of a channel-last map is
    /// gathered as whole runs of channels. Any order gives the same exact sums as long as columns use the same one.</param>
    public static (sbyte[] Bytes, long[] RowSums) PackWeights(ReadOnlySpan<short> mantissas, int rows, int k, int window = 1)
    {
        int padded = PaddedLength(k);
        var bytes = new sbyte[(long)rows * padded];
        var sums = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            long sum = 0;
            ReadOnlySpan<short> row = mantissas.Slice(r * k, k);
            Span<sbyte> target = bytes.AsSpan(r * padded, k);
            if (window == 1)
            {
                for (int j = 0; j < k; j++)
                {
                    target[j] = (sbyte)row[j];
                    sum += row[j];
                }
            }
            else
            {
                int channels = k / window;
                for (int j = 0; j < k; j++)
                {
                    target[PackedIndex(j, channels, window)] = (sbyte)row[j];
                    sum += row[j];
                }
            }

            sums[r] = sum;
        }

        return (bytes, sums);
    }

    /// <summary>Where K index <paramref name="j"/> (channel · window + position) is stored: position · channels + channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PackedIndex(int j, int channels, int window) => ((j % window) * channels) + (j / window);

    /// <summary>Packs one column of input mantissas (within ±127) as x + 128 into <paramref name="target"/> (padded
    /// length, in the order of <see cref="PackWeights"/>; the padding meets zero weights, so its value does not matter
    /// and is set to the offset, x = 0).</summary>
    public static void PackColumn(ReadOnlySpan<short> mantissas, Span<byte> target, int window = 1)
    {
        int k = mantissas.Length;
        if (window == 1)
        {
            int j = 0;
            var offset = Vector256.Create((short)InputOffset);
            for (; j + 32 <= k; j += 32)
            {
                Vector256<short> low = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(mantissas), (nuint)j) + offset;
                Vector256<short> high = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(mantissas), (nuint)(j + 16)) + offset;
                Vector256.Narrow(low.AsUInt16(), high.AsUInt16()).StoreUnsafe(ref MemoryMarshal.GetReference(target), (nuint)j);
            }

            for (; j < k; j++)
            {
                target[j] = (byte)(mantissas[j] + InputOffset);
            }
        }
        else
        {
            int channels = k / window;
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < window; p++)
                {
                    target[(p * channels) + c] = (byte)(mantissas[(c * window) + p] + InputOffset);
                }
            }
        }

        target[k..].Fill(InputOffset);
    }

    /// <summary>Σ w·x over one packed weight row and one packed column (both of the padded length), exact.</summary>
    public static long Dot(IntegerKernel kernel, ReadOnlySpan<sbyte> weights, long rowSum, ReadOnlySpan<byte> column)
    {
        long offsetSum = kernel switch
        {
            IntegerKernel.Vnni => DotVnni(weights, column),
            IntegerKernel.OneDnn => DotNative(weights, column),
            _ => DotScalar(weights, column),
        };
        return offsetSum - (InputOffset * rowSum);
    }

    /// <summary>Dot products of two packed weight rows with four packed columns: sums[0..3] for row 0, sums[4..7] for row 1.</summary>
    public static void Dot2x4(
        IntegerKernel kernel, ReadOnlySpan<sbyte> w0, ReadOnlySpan<sbyte> w1, long rowSum0, long rowSum1,
        ReadOnlySpan<byte> x0, ReadOnlySpan<byte> x1, ReadOnlySpan<byte> x2, ReadOnlySpan<byte> x3, Span<long> sums)
    {
        if (kernel == IntegerKernel.Vnni)
        {
            Dot2x4Vnni(w0, w1, x0, x1, x2, x3, sums);
        }
        else
        {
            // oneDNN multiplies whole groups (IsWholeGemm); one product at a time serves its tests against the others.
            bool native = kernel == IntegerKernel.OneDnn;
            for (int c = 0; c < 4; c++)
            {
                ReadOnlySpan<byte> x = c switch { 0 => x0, 1 => x1, 2 => x2, _ => x3 };
                sums[c] = native ? DotNative(w0, x) : DotScalar(w0, x);
                sums[4 + c] = native ? DotNative(w1, x) : DotScalar(w1, x);
            }
        }

        for (int c = 0; c < 4; c++)
        {
            sums[c] -= InputOffset * rowSum0;
            sums[4 + c] -= InputOffset * rowSum1;
        }
    }

    /// <summary>Σ w·u (u the offset bytes), scalar: the reference the vector kernel is tested against.</summary>
    private static long DotScalar(ReadOnlySpan<sbyte> w, ReadOnlySpan<byte> u)
    {
        long total = 0;
        for (int i = 0; i < w.Length; i++)
        {
            total += w[i] * u[i];
        }

        return total;
    }

    private static long DotNative(ReadOnlySpan<sbyte> w, ReadOnlySpan<byte> u)
    {
        long sum = 0;
        NativeIntegerGemm.Multiply(w, 1, u, 1, w.Length, [0], 0, 1, (_, _, _, _, sums) => sum = sums[0]);
        return sum;
    }

    private static long DotVnni(ReadOnlySpan<sbyte> w, ReadOnlySpan<byte> u)
    {
        ref sbyte pw = ref MemoryMarshal.GetReference(w);
        ref byte pu = ref MemoryMarshal.GetReference(u);
        int length = w.Length;
        long total = 0;
        int i = 0;
        while (i < length)
        {
            // Two accumulators hide the instruction's latency; each widens before 16,384 instructions (remarks).
            Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero;
            int end = Math.Min(length, i + (StepsPerWiden * 32));
            for (; i < end; i += 64)
            {
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref pu, (nuint)i), Vector256.LoadUnsafe(ref pw, (nuint)i));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref pu, (nuint)(i + 32)), Vector256.LoadUnsafe(ref pw, (nuint)(i + 32)));
            }

            total += Widen(a0) + Widen(a1);
        }

        return total;
    }

    private static void Dot2x4Vnni(
        ReadOnlySpan<sbyte> w0, ReadOnlySpan<sbyte> w1, ReadOnlySpan<byte> x0, ReadOnlySpan<byte> x1, ReadOnlySpan<byte> x2,
        ReadOnlySpan<byte> x3, Span<long> sums)
    {
        ref sbyte pw0 = ref MemoryMarshal.GetReference(w0);
        ref sbyte pw1 = ref MemoryMarshal.GetReference(w1);
        ref byte p0 = ref MemoryMarshal.GetReference(x0);
        ref byte p1 = ref MemoryMarshal.GetReference(x1);
        ref byte p2 = ref MemoryMarshal.GetReference(x2);
        ref byte p3 = ref MemoryMarshal.GetReference(x3);
        int length = w0.Length;
        long s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        int i = 0;
        while (i < length)
        {
            // Eight accumulators, six loads per eight instructions; each lane widens before 16,384 instructions.
            Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<int> c10 = default, c11 = default, c12 = default, c13 = default;
            int end = Math.Min(length, i + (StepsPerWiden * 32));
            for (; i < end; i += 32)
            {
                Vector256<sbyte> a = Vector256.LoadUnsafe(ref pw0, (nuint)i);
                Vector256<sbyte> b = Vector256.LoadUnsafe(ref pw1, (nuint)i);
                Vector256<byte> x = Vector256.LoadUnsafe(ref p0, (nuint)i);
                c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, a);
                c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, b);
                x = Vector256.LoadUnsafe(ref p1, (nuint)i);
                c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, a);
                c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, b);
                x = Vector256.LoadUnsafe(ref p2, (nuint)i);
                c02 = AvxVnni.MultiplyWideningAndAdd(c02, x, a);
                c12 = AvxVnni.MultiplyWideningAndAdd(c12, x, b);
                x = Vector256.LoadUnsafe(ref p3, (nuint)i);
                c03 = AvxVnni.MultiplyWideningAndAdd(c03, x, a);
                c13 = AvxVnni.MultiplyWideningAndAdd(c13, x, b);
            }

            s00 += Widen(c00);
            s01 += Widen(c01);
            s02 += Widen(c02);
            s03 += Widen(c03);
            s10 += Widen(c10);
            s11 += Widen(c11);
            s12 += Widen(c12);
            s13 += Widen(c13);
        }

        sums[0] = s00;
        sums[1] = s01;
        sums[2] = s02;
        sums[3] = s03;
        sums[4] = s10;
        sums[5] = s11;
        sums[6] = s12;
        sums[7] = s13;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Widen(Vector256<int> v) =>
        Vector256.Sum(Avx2.Add(Avx2.ConvertToVector256Int64(v.GetLower()), Avx2.ConvertToVector256Int64(v.GetUpper())));
}
