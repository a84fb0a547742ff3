import Pipeline

/// Every model the lab can run, in the order reports list them.
public enum ModelCatalog {
    public static let all: [any ConcurrencyModel] = [
        EventLoopModel(),
        ThreadsModel(),
        TasksModel(),
        TaskExecutorsModel(),
        DispatchModel(),
        SpinRingModel(),
    ]

    /// The model every other is compared with in reports: `event-loop`, the seed's asyncio.
    public static let baseline = EventLoopModel().name

    public static var names: [String] { all.map(\.name) }

    /// The models that pin stage threads to cores of their own, and how many (on the two cores or
    /// more the lab runs on): `spin-ring` pins its receiver and its processor (``SpinRingModel``'s
    /// core plan). The report names it as a cost: those cores serve no other process meanwhile.
    public static let pinnedCores: [String: Int] = [SpinRingModel().name: 2]

    /// The models that take a wait strategy (`--wait`), in catalogue order.
    public static var waitStrategyModels: [String] { all.filter { $0.tunables.waitStrategy != nil }.map(\.name) }

    public static func model(named name: String) -> (any ConcurrencyModel)? {
        all.first { $0.name == name }
    }
}
