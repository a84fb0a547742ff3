import Models
@testable import Report
import TestSupport

extension ReportModel {
    /// The sources as `ticklab report` groups them: the catalogue's lineup.
    init(_ sources: [ReportSource]) {
        self.init(sources, lineup: .catalogue)
    }
}
