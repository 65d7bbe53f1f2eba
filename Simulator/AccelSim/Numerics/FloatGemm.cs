using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AccelSim.Numerics;

/// <summary>float32 GEMM, <c>C (M×N) = A (M×K) · B (K×N)</c>, row-major: OpenBLAS's <c>cblas_sgemm</c> when
/// <c>libopenblas.so.0</c> is installed, else a managed vectorised loop. The baseline the BFP datapath is measured against.</summary>
public static unsafe class FloatGemm
{
    private const int RowMajor = 101;
    private const int NoTranspose = 111;

    private static readonly Lazy<nint> OpenBlasSgemm = new(() =>
        NativeLibrary.TryLoad("libopenblas.so.0", out nint library) && NativeLibrary.TryGetExport(library, "cblas_sgemm", out nint sgemm) ? sgemm : 0);

    /// <summary>Which implementation <see cref="Multiply"/> uses on this machine.</summary>
    public static string Implementation => OpenBlasSgemm.Value != 0 ? "OpenBLAS cblas_sgemm" : "managed Vector256";

    public static void Multiply(int m, int n, int k, float[] a, float[] b, float[] c, int maxDegreeOfParallelism)
    {
        if (OpenBlasSgemm.Value != 0)
        {
            var sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)OpenBlasSgemm.Value;
            fixed (float* pa = a, pb = b, pc = c)
            {
                sgemm(RowMajor, NoTranspose, NoTranspose, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
            }

            return;
        }

        // Managed: each row of C is a sum of rows of B scaled by A's entries (axpy form keeps B streaming).
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) }, i =>
        {
            Span<float> row = c.AsSpan(i * n, n);
            row.Clear();
            for (int p = 0; p < k; p++)
            {
                float scale = a[(i * k) + p];
                ReadOnlySpan<float> source = b.AsSpan(p * n, n);
                int j = 0;
                var factor = Vector256.Create(scale);
                for (; j <= n - 8; j += 8)
                {
                    Vector256.FusedMultiplyAdd(factor, Vector256.Create(source.Slice(j, 8)), Vector256.Create((ReadOnlySpan<float>)row.Slice(j, 8))).CopyTo(row.Slice(j, 8));
                }

                for (; j < n; j++)
                {
                    row[j] += scale * source[j];
                }
            }
        });
    }
}
