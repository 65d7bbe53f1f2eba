using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping;

/// <summary>What the dataflows fetch and read of a convolution's im2col operand: the input rows a range of output pixels
/// reads, and the operand elements that are real input rather than padding.</summary>
/// <remarks>Output pixels are numbered across the batch, item slowest, then output row, output column; a reduction
/// index is k = channel·R·S + kernelRow·S + kernelColumn within one group.</remarks>
internal static class Im2colOperands
{
    /// <summary>True when some window reaches outside the input (into padding).</summary>
    public static bool ReadsPadding(this ConvShape g) =>
        g.PadTop > 0 || g.PadLeft > 0
        || ((long)(g.OutHeight - 1) * g.StrideHeight) - g.PadTop + ((long)(g.KernelHeight - 1) * g.DilationHeight) >= g.InHeight
        || ((long)(g.OutWidth - 1) * g.StrideWidth) - g.PadLeft + ((long)(g.KernelWidth - 1) * g.DilationWidth) >= g.InWidth;

    /// <summary>Elements of the im2col operand, output pixels [firstPixel, endPixel) by reduction indices [firstK, endK),
    /// that read a real input element: the padding zeros are generated at the array edge, not read from the buffer.</summary>
    /// <remarks>Pixels run along output rows; within a row every pixel whose window lies inside the input horizontally
    /// counts alike, so only the pixels next to the left and right edges are counted one by one.</remarks>
    public static long RealOperands(this ConvShape g, long firstPixel, long endPixel, long firstK, long endK)
    {
        if (!g.ReadsPadding())
        {
            return (endPixel - firstPixel) * (endK - firstK);
        }

        // Output columns whose kernel columns all land inside the input: [innerLow, innerHigh].
        long innerLow = CeilDiv(g.PadLeft, g.StrideWidth);
        long innerSpan = g.InWidth - 1 + g.PadLeft - ((long)(g.KernelWidth - 1) * g.DilationWidth);
        long innerHigh = innerSpan < 0 ? -1 : innerSpan / g.StrideWidth;
        int outWidth = g.OutWidth;
        long perItem = (long)g.OutHeight * outWidth;
        long area = (long)g.KernelHeight * g.KernelWidth;
        int kernelWidth = g.KernelWidth;
        long total = 0;
        long pixel = firstPixel;
        while (pixel < endPixel)
        {
            // One run of pixels along an output row: columns [column, lastColumn].
            long inItem = pixel % perItem;
            long row = inItem / outWidth;
            long column = inItem % outWidth;
            long lastColumn = Math.Min(outWidth - 1, column + (endPixel - pixel) - 1);
            (long rowLow, long rowHigh) = ValidTaps(row, g.StrideHeight, g.PadTop, g.DilationHeight, g.KernelHeight, g.InHeight);
            long innerFirst = Math.Max(column, innerLow);
            long innerLast = Math.Min(lastColumn, innerHigh);
            if (innerFirst <= innerLast)
            {
                total += (innerLast - innerFirst + 1) * Taps(rowLow, rowHigh, 0, kernelWidth - 1);
            }

            for (long x = column; x <= lastColumn; x++)
            {
                if (x < innerFirst || x > innerLast)
                {
                    (long colLow, long colHigh) = ValidTaps(x, g.StrideWidth, g.PadLeft, g.DilationWidth, g.KernelWidth, g.InWidth);
                    total += Taps(rowLow, rowHigh, colLow, colHigh);
                }
            }

            pixel += lastColumn - column + 1;
        }

        return total;

        // Real taps of one pixel (its valid kernel rows and columns) with reduction index in [firstK, endK).
        long Taps(long rowLow, long rowHigh, long colLow, long colHigh) =>
            Below(endK, rowLow, rowHigh, colLow, colHigh) - Below(firstK, rowLow, rowHigh, colLow, colHigh);

        // Real taps with reduction index below k: whole channels, then whole kernel rows, then part of one row.
        long Below(long k, long rowLow, long rowHigh, long colLow, long colHigh)
        {
            long perChannel = Math.Max(0, rowHigh - rowLow + 1) * Math.Max(0, colHigh - colLow + 1);
            long tap = k % area;
            long kernelRow = tap / kernelWidth;
            long rowsBefore = Math.Max(0, Math.Min(rowHigh + 1, kernelRow) - rowLow);
            long inRow = kernelRow >= rowLow && kernelRow <= rowHigh ? Math.Max(0, Math.Min(colHigh + 1, tap % kernelWidth) - colLow) : 0;
            return ((k / area) * perChannel) + (rowsBefore * Math.Max(0, colHigh - colLow + 1)) + inRow;
        }
    }

    /// <summary>Input rows (of one channel, one batch item) that output pixels [first, last] of a row fold read.</summary>
    public static long InputRowsFor(this ConvShape g, long firstPixel, long lastPixel) => g.InputRowsFor(firstPixel, lastPixel, 0, g.KernelHeight - 1);

    /// <summary>Input rows (of one channel, one batch item) that kernel rows [firstKernelRow, lastKernelRow] of output
    /// pixels [first, last] read.</summary>
    public static long InputRowsFor(this ConvShape g, long firstPixel, long lastPixel, long firstKernelRow, long lastKernelRow)
    {
        int outWidth = g.OutWidth;
        long perItem = (long)g.OutHeight * outWidth;
        long rows = 0;
        for (long item = firstPixel / perItem; item <= lastPixel / perItem; item++)
        {
            long from = Math.Max(firstPixel, item * perItem) - (item * perItem);
            long to = Math.Min(lastPixel, ((item + 1) * perItem) - 1) - (item * perItem);
            long top = Math.Max(0, ((from / outWidth) * g.StrideHeight) - g.PadTop + (firstKernelRow * g.DilationHeight));
            long bottom = Math.Min(g.InHeight - 1, ((to / outWidth) * g.StrideHeight) - g.PadTop + (lastKernelRow * g.DilationHeight));
            rows += Math.Max(0, bottom - top + 1);
        }

        return rows;
    }

    /// <summary>The kernel taps [low, high] of output coordinate <paramref name="output"/> that land inside the input.</summary>
    private static (long Low, long High) ValidTaps(long output, int stride, int pad, int dilation, int kernel, int size)
    {
        long origin = (output * stride) - pad;
        long low = origin >= 0 ? 0 : ((-origin) + dilation - 1) / dilation;
        long high = Math.Min(kernel - 1, Math.Max(-1, size - 1 - origin) / dilation);
        if (size - 1 - origin < 0)
        {
            high = -1;
        }

        return (low, high);
    }
}
