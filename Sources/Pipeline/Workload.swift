import Clocks
import MarketData
import OrderBook

/// Real CPU work of a requested duration, never a sleep.
///
/// The work is a dependent chain of multiply–xor–shift rounds over a handful of input values
/// (the book's top levels, or the features of a state): it cannot be vectorised or folded, and
/// its result is published, so the optimiser cannot drop it. ``Calibration`` measures how long
/// one round takes on this machine, so a request in milliseconds becomes a round count.
public struct Workload: Sendable, Hashable {
    /// CPU time requested per unit of work, in nanoseconds: the evaluator's `wait` kind adds it to
    /// a pick-up stamp for every state.
    let requestedNanoseconds: UInt64
    /// Rounds that cost ``requested`` of CPU on an idle core.
    public let rounds: Int

    /// - Parameter requested: CPU time per unit of work, in whole nanoseconds (a fraction is
    ///   dropped; a negative span is none).
    public init(requested: Duration, calibration: Calibration) {
        let nanoseconds = requested.saturatingNanoseconds
        self.requestedNanoseconds = nanoseconds
        self.rounds =
            nanoseconds == 0 ? 0 : max(1, Int((Double(nanoseconds) / calibration.nanosPerRound).rounded()))
    }

    /// CPU time requested per unit of work.
    public var requested: Duration { .nanoseconds(requestedNanoseconds) }

    public var isEmpty: Bool { rounds == 0 }

    /// Runs the work over `values` and returns its result.
    @inlinable
    public func run(over values: UnsafeBufferPointer<Int64>) -> UInt64 {
        Self.burn(rounds: rounds, over: values)
    }

    @inline(never)
    public static func burn(rounds: Int, over values: UnsafeBufferPointer<Int64>) -> UInt64 {
        var accumulator: UInt64 = 0x9E37_79B9_7F4A_7C15
        let count = values.count
        guard count > 0 else { return accumulator }
        var index = 0
        for _ in 0..<rounds {
            accumulator = (accumulator ^ UInt64(bitPattern: values[index])) &* 0x0000_0100_0000_01B3
            accumulator ^= accumulator >> 29
            index += 1
            if index == count { index = 0 }
        }
        return accumulator
    }

    /// The cost of one round of ``burn(rounds:over:)`` on this machine, measured in thread CPU
    /// time so that other processes do not inflate it.
    public struct Calibration: Sendable, Hashable, Codable {
        public var nanosPerRound: Double

        public init(nanosPerRound: Double) {
            precondition(nanosPerRound > 0 && nanosPerRound.isFinite)
            self.nanosPerRound = nanosPerRound
        }

        /// Times the work in several trials of at least `trialDuration` each and keeps the median.
        /// About 0.15 s in all with the defaults.
        public static func measure(trials: Int = 7, trialDuration: Duration = .milliseconds(20)) -> Calibration {
            measureTrials(trials: trials, trialDuration: trialDuration).calibration
        }

        /// Trials of a sweep's calibration, measured once for all its cells: three times a run's,
        /// so that one preempted or frequency-shifted trial moves the median less.
        public static let sweepTrials = 21
        /// Each trial of a sweep's calibration lasts 40 ms (about 1 s in all with `sweepTrials`):
        /// long against the clock's resolution and a timer tick, short against a time slice's
        /// worth of noise piling up in one trial.
        public static let sweepTrialDuration: Duration = .milliseconds(40)

        /// A calibration with the spread of the trials it was taken from.
        public struct Trials: Sendable, Hashable {
            /// The median trial's cost per round.
            public var calibration: Calibration
            /// How many trials were timed.
            public var count: Int
            /// The fastest and the slowest trial's cost per round.
            public var minNanosPerRound: Double
            public var maxNanosPerRound: Double

            public init(calibration: Calibration, count: Int, minNanosPerRound: Double, maxNanosPerRound: Double) {
                self.calibration = calibration
                self.count = count
                self.minNanosPerRound = minNanosPerRound
                self.maxNanosPerRound = maxNanosPerRound
            }
        }

        /// Times the work in `trials` trials of at least `trialDuration` each, on the calling
        /// thread's CPU clock, and keeps the median (of an odd count, one trial's figure), the
        /// fastest and the slowest.
        ///
        /// - Precondition: `trials` > 0.
        public static func measureTrials(trials: Int, trialDuration: Duration) -> Trials {
            precondition(trials > 0, "at least one trial")
            // Nanoseconds, as the thread CPU clock reads them.
            let trialNanos = trialDuration.saturatingNanoseconds
            let values: [Int64] = (0..<40).map { Int64($0 &* 7_919 &+ 1_000_003) }
            return values.withUnsafeBufferPointer { buffer in
                // Grow the trial until it lasts long enough for the clock's resolution to vanish.
                var rounds = 10_000
                var sink: UInt64 = 0
                while true {
                    let t0 = ThreadCPUClock.now()
                    sink &+= burn(rounds: rounds, over: buffer)
                    let spent = ThreadCPUClock.now() - t0
                    if spent >= trialNanos / 4 {
                        rounds = Int(Double(rounds) * Double(trialNanos) / Double(max(spent, 1)))
                        break
                    }
                    rounds *= 4
                }
                var samples: [Double] = []
                for _ in 0..<trials {
                    let t0 = ThreadCPUClock.now()
                    sink &+= burn(rounds: rounds, over: buffer)
                    let spent = ThreadCPUClock.now() - t0
                    samples.append(Double(spent) / Double(rounds))
                }
                samples.sort()
                blackHole(sink)
                return Trials(
                    calibration: Calibration(nanosPerRound: samples[samples.count / 2]), count: samples.count,
                    minNanosPerRound: samples[0], maxNanosPerRound: samples[samples.count - 1])
            }
        }
    }
}

/// Consumes a value so the optimiser must compute it.
@inline(never) @_optimize(none)
public func blackHole<T>(_ value: T) {}
