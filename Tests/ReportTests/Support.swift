import Models
import TestSupport

@testable import Report

extension ReportModel {
    /// The sources as `ticklab report` groups them: the catalogue's lineup.
    init(_ sources: [ReportSource]) {
        self.init(sources, lineup: .catalogue)
    }
}
