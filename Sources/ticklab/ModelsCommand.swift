import ArgumentParser
import Models

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the concurrency models and what each one is.")

    func run() {
        let width = ModelCatalog.names.map(\.count).max() ?? 0
        for model in ModelCatalog.all {
            print(model.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + model.summary)
        }
    }
}
