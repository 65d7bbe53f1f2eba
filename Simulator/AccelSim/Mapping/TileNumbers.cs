using AccelSim.Hardware;

namespace AccelSim.Mapping;

/// <summary>Numbers the tiles a plan emits, so that its steps can name the latest tile of each kind.</summary>
internal sealed class TileNumbers
{
    /// <summary>The last input tile emitted; −1 before the first.</summary>
    public int LastIfmap { get; private set; } = -1;

    /// <summary>The last weight tile emitted; −1 before the first.</summary>
    public int LastWeight { get; private set; } = -1;

    /// <summary>The next input tile.</summary>
    public ScheduleEntry Ifmap(long bytes)
    {
        LastIfmap = checked(LastIfmap + 1);
        return ScheduleEntry.IfmapTile(bytes);
    }

    /// <summary>The next weight tile.</summary>
    public ScheduleEntry Weight(long bytes)
    {
        LastWeight = checked(LastWeight + 1);
        return ScheduleEntry.WeightTile(bytes);
    }
}
