namespace AccelSim.Mapping;

/// <summary>Classes of a loop's iterations that give the same tiles and steps, for a plan that counts its schedule's
/// totals from its loop counts (<see cref="Hardware.TotalsCounter"/>).</summary>
internal static class FoldClasses
{
    /// <summary>The classes of a fold loop of <paramref name="folds"/> folds whose folds are alike but for the last one
    /// (a partial fold): the first fold stands for the others.</summary>
    public static IEnumerable<(long Fold, long Times)> FullAndLast(long folds) =>
        folds <= 1 ? [(0, folds)] : [(0, folds - 1), (folds - 1, 1)];
}
