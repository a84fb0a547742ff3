import Dispatch
import Formats
import Foundation
import MarketData
import Pipeline
import Report
import Results
import Run
import Sweep

/// One live line on a terminal: what runs, elapsed and remaining time.
final class ProgressLine {
    private let timer: any DispatchSourceTimer
    /// Set once the line is cleared, so a late timer tick does not draw it again.
    private let finished = StopSignal()

    init(total: Double, label: String) {
        let start = Date()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        self.timer = timer
        let finished = self.finished
        timer.schedule(deadline: .now(), repeating: .milliseconds(500))
        timer.setEventHandler { [finished] in
            guard !finished.isRequested else { return }
            let elapsed = Date().timeIntervalSince(start)
            let remaining = max(0, total - elapsed)
            let text =
                remaining > 0
                ? "\(label): \(DurationText.seconds(elapsed, digits: 0)) of \(DurationText.seconds(total, digits: 0)), "
                    + "\(DurationText.seconds(remaining, digits: 0)) left"
                : "\(label): draining (\(DurationText.seconds(elapsed, digits: 0)))"
            StandardError.write("\r\u{1B}[2K" + text)
        }
        timer.resume()
    }

    func finish() {
        finished.request()
        timer.cancel()
        StandardError.write("\r\u{1B}[2K")
    }
}
