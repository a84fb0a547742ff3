import Dispatch
import Foundation
import Pipeline
import Sweep

/// Turns Ctrl-C (SIGINT) and SIGTERM into a stop request: the first one stops the feed and lets
/// the run drain and report; a second one exits at once.
public final class Interruption {
    public let stop = StopSignal()
    private let sources: [any DispatchSourceSignal]

    public init(
        onFirst message: String =
            "\nticklab: stopping: the ticks received and not yet processed are abandoned (Ctrl-C again to quit now)\n"
    ) {
        let stop = self.stop
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if stop.isRequested {
                    _exit(130)
                }
                stop.request()
                StandardError.write(message)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Restores the default handlers.
    public func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
