import Foundation
import Models
import Report

extension ReportRenderer {
    /// The report as `ticklab report` renders it: models in the catalogue's order.
    public static func render(_ sources: [ReportSource], generatedAt: Date = Date()) -> String {
        render(sources, modelOrder: ModelCatalog.names, generatedAt: generatedAt)
    }
}
