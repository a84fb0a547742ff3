import Foundation
import Models
import Report

extension ReportLineup {
    /// The catalogue's, as the command line passes it.
    public static let catalogue = ReportLineup(
        order: ModelCatalog.names, baseline: ModelCatalog.baseline, pinnedCores: ModelCatalog.pinnedCores)
}

extension ReportRenderer {
    /// The report as `ticklab report` renders it: the catalogue's lineup.
    public static func render(_ sources: [ReportSource], generatedAt: Date = Date()) -> String {
        render(sources, lineup: .catalogue, generatedAt: generatedAt)
    }
}
