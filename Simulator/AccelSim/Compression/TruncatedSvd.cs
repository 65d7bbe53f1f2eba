using System.Runtime.InteropServices;
using AccelSim.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace AccelSim.Compression;

/// <summary>How <see cref="TruncatedSvd.Compute"/> finds the leading singular triplets.</summary>
public enum SvdMethod
{
    /// <summary>Randomized for large matrices with a small rank, exact otherwise.</summary>
    Auto,

    /// <summary>LAPACK <c>sgesdd</c> (thin), or MathNet's managed SVD when OpenBLAS is absent.</summary>
    Exact,

    /// <summary>Halko, Martinsson and Tropp's randomized range finder with subspace iteration (2011, Alg. 4.4),
    /// then an exact SVD of the small projected matrix.</summary>
    Randomized,
}

/// <summary>The rank-K factors of <c>A (m×n) ≈ U_K · diag(S_K) · Vt_K</c>, row-major, singular values in descending order.</summary>
public sealed record SvdFactors(int Rows, int Columns, int Rank, float[] U, float[] S, float[] Vt, string Implementation);

/// <summary>
/// Truncated singular value decomposition of a row-major float32 matrix. LAPACK comes from Debian's OpenBLAS
/// (<c>libopenblas.so.0</c>, which bundles the Fortran LAPACK symbols); without it, MathNet's managed SVD is used,
/// which is exact but slow for large matrices (hours for VGG-16's fc6).
/// </summary>
/// <remarks>Results are deterministic for a given machine and library: the randomized method draws its test matrix from
/// a fixed seed.</remarks>
public static unsafe class TruncatedSvd
{
    /// <summary>Randomized only when the smaller side is at least this long (below it, exact LAPACK is fast enough).</summary>
    public const int RandomizedMinimumSide = 2048;

    /// <summary>Subspace (power) iterations: each sharpens the captured subspace when the spectrum decays slowly.</summary>
    public const int PowerIterations = 2;

    private const int ColumnMajor = 102;
    private const int NoTranspose = 111;
    private const int Transpose = 112;
    private const ulong TestMatrixSeed = 0x5EED5EEDUL;

    private static readonly Lazy<Lapack?> Native = new(Lapack.TryLoad);

    /// <summary>True when LAPACK (OpenBLAS) is loaded; otherwise the managed fallback runs.</summary>
    public static bool HasLapack => Native.Value is not null;

    /// <summary>The leading <paramref name="rank"/> singular triplets of the row-major <paramref name="rows"/>×<paramref name="columns"/> matrix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">rank is not in 1..min(rows, columns).</exception>
    public static SvdFactors Compute(ReadOnlySpan<float> matrix, int rows, int columns, int rank, SvdMethod method = SvdMethod.Auto)
    {
        int smaller = Math.Min(rows, columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, smaller);
        if (matrix.Length != (long)rows * columns)
        {
            throw new ArgumentException($"matrix has {matrix.Length} values, {rows}x{columns} needs {(long)rows * columns}", nameof(matrix));
        }

        int sketch = SketchWidth(rank, smaller);
        bool randomized = method == SvdMethod.Randomized
            || (method == SvdMethod.Auto && smaller >= RandomizedMinimumSide && sketch <= smaller / 2);
        if (Native.Value is not { } lapack)
        {
            return Managed(matrix, rows, columns, rank);
        }

        return randomized ? RandomizedLapack(lapack, matrix, rows, columns, rank, sketch) : ExactLapack(lapack, matrix, rows, columns, rank);
    }

    /// <summary>Every singular value (descending): LAPACK <c>sgesdd</c> without vectors, or MathNet.</summary>
    public static float[] SingularValues(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        if (Native.Value is { } lapack)
        {
            float[] a = matrix.ToArray();
            int r = Math.Min(rows, columns);
            var s = new float[r];
            lapack.Gesdd('N', columns, rows, a, columns, s, [], 1, [], 1);
            return s;
        }

        return [.. ToMathNet(matrix, rows, columns).Svd(computeVectors: false).S];
    }

    /// <summary>Columns of the random test matrix: the rank plus oversampling (10 %, at least 16), capped at the smaller side.</summary>
    private static int SketchWidth(int rank, int smaller) => Math.Min(smaller, rank + Math.Max(16, rank / 10));

    /// <summary>Row-major A (m×n) is column-major Aᵀ (n×m); sgesdd of Aᵀ = U' S V'ᵀ gives A = V' S U'ᵀ, so LAPACK's
    /// vt buffer is A's U (row-major m×r) and its u buffer is A's Vt (row-major r×n).</summary>
    private static SvdFactors ExactLapack(Lapack lapack, ReadOnlySpan<float> matrix, int rows, int columns, int rank)
    {
        float[] a = matrix.ToArray();
        int r = Math.Min(rows, columns);
        var s = new float[r];
        var vtOfA = new float[(long)r * columns];
        var uOfA = new float[(long)rows * r];
        lapack.Gesdd('S', columns, rows, a, columns, s, vtOfA, columns, uOfA, r);
        var u = new float[(long)rows * rank];
        for (int i = 0; i < rows; i++)
        {
            Array.Copy(uOfA, (long)i * r, u, (long)i * rank, rank);
        }

        return new SvdFactors(rows, columns, rank, u, s[..rank], vtOfA[..(int)((long)rank * columns)], "LAPACK sgesdd");
    }

    /// <summary>Halko–Martinsson–Tropp with subspace iteration; every matrix here is column-major, and the row-major
    /// input buffer is read as Aᵀ (n×m).</summary>
    private static SvdFactors RandomizedLapack(Lapack lapack, ReadOnlySpan<float> matrix, int m, int n, int rank, int l)
    {
        float[] a = matrix.ToArray();
        var omega = new float[(long)n * l];
        SyntheticTensors.StandardNormal(TestMatrixSeed, omega);
        var y = new float[(long)m * l];
        var z = new float[(long)n * l];

        lapack.Gemm(Transpose, NoTranspose, m, l, n, a, n, omega, n, y, m);          // Y = A Ω
        lapack.Orthonormalize(y, m, l);
        for (int i = 0; i < PowerIterations; i++)
        {
            lapack.Gemm(NoTranspose, NoTranspose, n, l, m, a, n, y, m, z, n);        // Z = Aᵀ Q
            lapack.Orthonormalize(z, n, l);
            lapack.Gemm(Transpose, NoTranspose, m, l, n, a, n, z, n, y, m);          // Y = A Z
            lapack.Orthonormalize(y, m, l);
        }

        // Bᵀ = Aᵀ Q (n×l); Bᵀ = U_b S V_bᵀ, so A ≈ Q B = (Q V_b) S U_bᵀ.
        lapack.Gemm(NoTranspose, NoTranspose, n, l, m, a, n, y, m, z, n);
        var s = new float[l];
        var ub = new float[(long)n * l];
        var vbt = new float[(long)l * l];
        lapack.Gesdd('S', n, l, z, n, s, ub, n, vbt, l);
        var uCols = new float[(long)m * l];
        lapack.Gemm(NoTranspose, Transpose, m, l, l, y, m, vbt, l, uCols, m);

        var u = new float[(long)m * rank];
        for (int i = 0; i < m; i++)
        {
            for (int c = 0; c < rank; c++)
            {
                u[((long)i * rank) + c] = uCols[i + ((long)c * m)];
            }
        }

        // Column c of U_b (column-major, n long) is row c of A's Vt.
        return new SvdFactors(m, n, rank, u, s[..rank], ub[..(int)((long)rank * n)], $"randomized (sketch {l}, {PowerIterations} power iterations) on LAPACK");
    }

    private static SvdFactors Managed(ReadOnlySpan<float> matrix, int rows, int columns, int rank)
    {
        var svd = ToMathNet(matrix, rows, columns).Svd(computeVectors: true);
        var u = new float[(long)rows * rank];
        var vt = new float[(long)rank * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int c = 0; c < rank; c++)
            {
                u[((long)i * rank) + c] = svd.U[i, c];
            }
        }

        for (int c = 0; c < rank; c++)
        {
            for (int j = 0; j < columns; j++)
            {
                vt[((long)c * columns) + j] = svd.VT[c, j];
            }
        }

        return new SvdFactors(rows, columns, rank, u, [.. svd.S.Take(rank)], vt, "MathNet managed SVD");
    }

    private static Matrix<float> ToMathNet(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        var result = Matrix<float>.Build.Dense(rows, columns);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[i, j] = matrix[(i * columns) + j];
            }
        }

        return result;
    }

    /// <summary>The Fortran LAPACK and CBLAS entry points of OpenBLAS, looked up once.</summary>
    private sealed class Lapack
    {
        private readonly delegate* unmanaged<byte*, int*, int*, float*, int*, float*, float*, int*, float*, int*, float*, int*, int*, int*, nint, void> _sgesdd;
        private readonly delegate* unmanaged<int*, int*, float*, int*, float*, float*, int*, int*, void> _sgeqrf;
        private readonly delegate* unmanaged<int*, int*, int*, float*, int*, float*, float*, int*, int*, void> _sorgqr;
        private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

        private Lapack(nint sgesdd, nint sgeqrf, nint sorgqr, nint sgemm)
        {
            _sgesdd = (delegate* unmanaged<byte*, int*, int*, float*, int*, float*, float*, int*, float*, int*, float*, int*, int*, int*, nint, void>)sgesdd;
            _sgeqrf = (delegate* unmanaged<int*, int*, float*, int*, float*, float*, int*, int*, void>)sgeqrf;
            _sorgqr = (delegate* unmanaged<int*, int*, int*, float*, int*, float*, float*, int*, int*, void>)sorgqr;
            _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
        }

        public static Lapack? TryLoad() =>
            NativeLibrary.TryLoad("libopenblas.so.0", out nint library)
            && NativeLibrary.TryGetExport(library, "sgesdd_", out nint sgesdd)
            && NativeLibrary.TryGetExport(library, "sgeqrf_", out nint sgeqrf)
            && NativeLibrary.TryGetExport(library, "sorgqr_", out nint sorgqr)
            && NativeLibrary.TryGetExport(library, "cblas_sgemm", out nint sgemm)
                ? new Lapack(sgesdd, sgeqrf, sorgqr, sgemm)
                : null;

        /// <summary>Column-major C (m×n) = op(A) · op(B).</summary>
        public void Gemm(int transA, int transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc)
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                _sgemm(ColumnMajor, transA, transB, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, ldc);
            }
        }

        /// <summary>sgesdd on the column-major m×n matrix <paramref name="a"/> (destroyed); jobz 'S' (thin) or 'N'.</summary>
        public void Gesdd(char jobz, int m, int n, float[] a, int lda, float[] s, float[] u, int ldu, float[] vt, int ldvt)
        {
            byte job = (byte)jobz;
            int info = 0;
            int query = -1;
            float size = 0;
            var iwork = new int[8 * Math.Min(m, n)];
            fixed (float* pa = a, ps = s, pu = u, pvt = vt)
            fixed (int* piwork = iwork)
            {
                _sgesdd(&job, &m, &n, pa, &lda, ps, pu, &ldu, pvt, &ldvt, &size, &query, piwork, &info, 1);
                Check(info, "sgesdd (workspace query)");
                int lwork = checked((int)size + 1);
                var work = new float[lwork];
                fixed (float* pwork = work)
                {
                    _sgesdd(&job, &m, &n, pa, &lda, ps, pu, &ldu, pvt, &ldvt, pwork, &lwork, piwork, &info, 1);
                }
            }

            Check(info, "sgesdd");
        }

        /// <summary>Replaces the column-major m×n (m ≥ n) matrix by an orthonormal basis of its columns (Householder QR).</summary>
        public void Orthonormalize(float[] a, int m, int n)
        {
            int info = 0;
            int query = -1;
            float size = 0;
            var tau = new float[n];
            fixed (float* pa = a, ptau = tau)
            {
                _sgeqrf(&m, &n, pa, &m, ptau, &size, &query, &info);
                Check(info, "sgeqrf (workspace query)");
                int lwork = Math.Max(checked((int)size + 1), n * 64); // sorgqr's optimal block size is no larger than 64

                var work = new float[lwork];
                fixed (float* pwork = work)
                {
                    _sgeqrf(&m, &n, pa, &m, ptau, pwork, &lwork, &info);
                    Check(info, "sgeqrf");
                    int k = n;
                    _sorgqr(&m, &n, &k, pa, &m, ptau, pwork, &lwork, &info);
                    Check(info, "sorgqr");
                }
            }
        }

        private static void Check(int info, string routine)
        {
            if (info != 0)
            {
                throw new InvalidOperationException($"LAPACK {routine} failed with info = {info}");
            }
        }
    }
}
