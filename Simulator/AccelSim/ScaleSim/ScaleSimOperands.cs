using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

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

    /// <summary>Tabulates the addresses of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">SCALE-Sim has no model of the shape (see
    /// <see cref="ScaleSimShapes.IsScaleSimShape"/>).</exception>
    public ScaleSimOperands(ConvShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!ScaleSimShapes.IsScaleSimShape(shape))
        {
            throw new ArgumentException("SCALE-Sim models batch 1, one group, no dilation and no top or left padding", nameof(shape));
        }

        Shape = shape;
        _height = shape.InHeight;
        _width = shape.InWidth;
        int c = shape.InChannels;
        int pixels = shape.PixelsPerItem;
        _pixelBase = new int[pixels];
        _pixelRow = new int[pixels];
        _pixelCol = new int[pixels];
        for (int m = 0; m < pixels; m++)
        {
            _pixelRow[m] = m / shape.OutWidth * shape.StrideHeight;
            _pixelCol[m] = m % shape.OutWidth * shape.StrideWidth;
            _pixelBase[m] = ((_pixelRow[m] * _width) + _pixelCol[m]) * c;
        }

        int window = shape.Reduction;
        _windowOffset = new int[window];
        _windowRow = new int[window];
        _windowCol = new int[window];
        for (int k = 0; k < window; k++)
        {
            _windowRow[k] = k / (shape.KernelWidth * c);
            _windowCol[k] = k % (shape.KernelWidth * c) / c;
            _windowOffset[k] = (((_windowRow[k] * _width) + _windowCol[k]) * c) + (k % c);
        }
    }

    /// <summary>The layer, in SCALE-Sim's view (<see cref="ScaleSimShapes"/>).</summary>
    public ConvShape Shape { get; }

    /// <summary>IFMAP addresses run from 0 to this (exclusive).</summary>
    public int IfmapAddresses => _height * _width * Shape.InChannels;

    /// <summary>Filter addresses run from 0 to this (exclusive).</summary>
    public int FilterAddresses => Shape.Reduction * Shape.OutChannels;

    public int Ifmap(int m, int k) =>
        _pixelRow[m] + _windowRow[k] >= _height || _pixelCol[m] + _windowCol[k] >= _width ? -1 : _pixelBase[m] + _windowOffset[k];

    public int Filter(int k, int n) => (n * Shape.Reduction) + k;
}
