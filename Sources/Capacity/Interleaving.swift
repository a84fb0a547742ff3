/// One run of a sweep: a cell and which of its repeats this is (0-based).
public struct ScheduledRun<Cell: Hashable & Sendable>: Hashable, Sendable {
    public var cell: Cell
    public var repeatIndex: Int

    public init(cell: Cell, repeatIndex: Int) {
        self.cell = cell
        self.repeatIndex = repeatIndex
    }
}

extension ScheduledRun: Codable where Cell: Codable {}

/// The order in which a sweep runs its repeats.
///
/// Round-robin over the cells: repeat 0 of every cell, then repeat 1 of every cell, and so on. A
/// noisy minute on a shared machine then falls on several cells' repeats rather than on all the
/// repeats of one cell, so it widens intervals instead of moving one model's median.
public enum Interleaving {
    /// Every run of `cells` × `repeats`, round-robin: for repeat r in 0..<repeats, every cell in
    /// the order given. A cell listed twice is scheduled once, at its first place (a duplicate
    /// would otherwise be two runs of one name that resume could not tell apart). Empty when
    /// `repeats` is 0 or less or there are no cells.
    public static func order<Cell>(cells: [Cell], repeats: Int) -> [ScheduledRun<Cell>] {
        guard repeats > 0 else { return [] }
        var seen = Set<Cell>()
        let distinct = cells.filter { seen.insert($0).inserted }
        return (0..<repeats).flatMap { repeatIndex in
            distinct.map { ScheduledRun(cell: $0, repeatIndex: repeatIndex) }
        }
    }

    /// The runs of `order(cells:repeats:)` that are not in `done`, in the same order: what a
    /// resumed sweep still has to run. Runs in `done` that are not part of the plan (another
    /// sweep's, or a repeat beyond `repeats`) are ignored.
    public static func pending<Cell>(cells: [Cell], repeats: Int, done: Set<ScheduledRun<Cell>>) -> [ScheduledRun<Cell>]
    {
        order(cells: cells, repeats: repeats).filter { !done.contains($0) }
    }
}
