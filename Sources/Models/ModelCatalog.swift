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

    public static var names: [String] { all.map(\.name) }

    public static func model(named name: String) -> (any ConcurrencyModel)? {
        all.first { $0.name == name }
    }
}
