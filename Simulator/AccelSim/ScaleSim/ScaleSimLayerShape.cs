namespace AccelSim.ScaleSim;

/// <summary>One conv layer as SCALE-Sim v2 sees it: an unpadded IFMAP (H×W×C, channel innermost), a Fh×Fw×C filter per
/// output channel, strides, and the OFMAP size E×F.</summary>
/// <remarks>
/// The GEMM view is M = E·F output pixels, K = Fh·Fw·C window elements, N filters. A window that hangs over the bottom
/// or right edge (SCALE-Sim's E = ⌈(H − Fh + Sh)/Sh⌉) reads nothing there: those operand slots are empty (−1 in
/// SCALE-Sim's address matrices), neither fetched nor counted.
/// </remarks>
public sealed record ScaleSimLayerShape(
    int IfmapHeight, int IfmapWidth, int FilterHeight, int FilterWidth, int Channels, int Filters,
    int StrideHeight, int StrideWidth, int OfmapHeight, int OfmapWidth)
{
    /// <summary>M: output pixels per filter.</summary>
    public int M => OfmapHeight * OfmapWidth;

    /// <summary>K: window size (Fh·Fw·C).</summary>
    public int K => FilterHeight * FilterWidth * Channels;

    /// <summary>N: filters.</summary>
    public int N => Filters;

    /// <summary>SCALE-Sim's own output size for an unpadded input: E = ⌈(H − Fh + Sh)/Sh⌉, F likewise.</summary>
    public static ScaleSimLayerShape Unpadded(int height, int width, int filterHeight, int filterWidth, int channels, int filters, int strideHeight, int strideWidth) =>
        new(height, width, filterHeight, filterWidth, channels, filters, strideHeight, strideWidth,
            ((height - filterHeight + strideHeight - 1) / strideHeight) + 1, ((width - filterWidth + strideWidth - 1) / strideWidth) + 1);
}

/// <summary>SCALE-Sim's operand addresses (without its per-operand offsets, which only separate the address spaces of
/// three separate buffers): IFMAP element (m, k) of the im2col matrix, filter element (k, n).</summary>
/// <remarks>IFMAP address = (row·W + col)·C + channel of the input pixel that window element k of output pixel m reads,
/// or −1 when it lies outside the input; filter address = n·K + k. Per-m and per-k parts are tabulated once, so an
/// address costs two look-ups and a compare.</remarks>
internal sealed class ScaleSimOperands
{
    private readonly int[] _pixelBase;
    private readonly int[] _pixelRow;
    private readonly int[] _pixelCol;
    private readonly int[] _windowOffset;
    private readonly int[] _windowRow;
    private readonly int[] _windowCol;
    private readonly int _height;
    private readonly int _width;

    public ScaleSimOperands(ScaleSimLayerShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        _height = shape.IfmapHeight;
        _width = shape.IfmapWidth;
        int c = shape.Channels;
        _pixelBase = new int[shape.M];
        _pixelRow = new int[shape.M];
        _pixelCol = new int[shape.M];
        for (int m = 0; m < shape.M; m++)
        {
            _pixelRow[m] = m / shape.OfmapWidth * shape.StrideHeight;
            _pixelCol[m] = m % shape.OfmapWidth * shape.StrideWidth;
            _pixelBase[m] = ((_pixelRow[m] * _width) + _pixelCol[m]) * c;
        }

        _windowOffset = new int[shape.K];
        _windowRow = new int[shape.K];
        _windowCol = new int[shape.K];
        for (int k = 0; k < shape.K; k++)
        {
            _windowRow[k] = k / (shape.FilterWidth * c);
            _windowCol[k] = k % (shape.FilterWidth * c) / c;
            _windowOffset[k] = (((_windowRow[k] * _width) + _windowCol[k]) * c) + (k % c);
        }
    }

    public ScaleSimLayerShape Shape { get; }

    /// <summary>IFMAP addresses run from 0 to this (exclusive).</summary>
    public int IfmapAddresses => _height * _width * Shape.Channels;

    /// <summary>Filter addresses run from 0 to this (exclusive).</summary>
    public int FilterAddresses => Shape.K * Shape.N;

    public int Ifmap(int m, int k) =>
        _pixelRow[m] + _windowRow[k] >= _height || _pixelCol[m] + _windowCol[k] >= _width ? -1 : _pixelBase[m] + _windowOffset[k];

    public int Filter(int k, int n) => (n * Shape.K) + k;
}
