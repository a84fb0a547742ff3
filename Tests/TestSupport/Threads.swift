import Foundation
import Models

extension OSThread {
    /// Waits for the thread to end from a thread of its own, not from the cooperative pool:
    /// `join` blocks its caller for as long as the thread runs, and a pool thread (two on a
    /// two-core machine) blocked behind a spinning producer and consumer stalled every other
    /// test in the process for seconds.
    public func joined() async -> (result: Result, cpuSeconds: Double) {
        await withCheckedContinuation { continuation in
            Thread {
                let ended = self.join()
                continuation.resume(returning: (ended.result, ended.cpuSeconds))
            }.start()
        }
    }
}
