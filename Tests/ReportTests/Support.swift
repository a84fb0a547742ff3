import Models
@testable import Report

extension ReportModel {
    /// The sources as `ticklab report` groups them: models in the catalogue's order.
    init(_ sources: [ReportSource]) {
        self.init(sources, modelOrder: ModelCatalog.names)
    }
}
