import Dispatch
import Foundation
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
            let text = remaining > 0
                ? String(format: "%@: %.0f s of %.0f s, %.0f s left", label, elapsed, total, remaining)
                : String(format: "%@: draining (%.0f s)", label, elapsed)
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
