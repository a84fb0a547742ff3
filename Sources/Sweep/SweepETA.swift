import Results

/// How long a sweep has left, as its progress line shows it while a run is in progress.
public struct SweepETA: Sendable, Equatable {
    /// Seconds from now to the sweep's expected end.
    public var seconds: Double
    /// The deadline (``SweepRunner/Options/deadline``) is expected to end the sweep before every
    /// queued run has been made: `seconds` is where it does, not where the runs would.
    public var boundedByBudget: Bool

    public init(seconds: Double, boundedByBudget: Bool = false) {
        self.seconds = seconds
        self.boundedByBudget = boundedByBudget
    }

    /// The one ETA of a sweep: the run in progress's remainder (`runSeconds` − `elapsed`, at
    /// least 0) and `runSeconds` for each run of `upcoming` that will start.
    ///
    /// Without a deadline, every one of `upcoming` starts. With one, they start as
    /// ``SweepRunner`` starts them: one after another, each only if the deadline allows it
    /// (``SweepDeadline/allows(_:)``, by the deadline's own estimate of the run) at the moment the
    /// run before it is expected to end; the first it would not start ends the sweep, and
    /// `boundedByBudget` says so. So with a deadline the ETA is never past the later of the run in
    /// progress's end and the deadline plus one run's `runSeconds`: the most the deadline lets a
    /// sweep take, since it starts a run only when the run's estimate fits before it and never
    /// stops one in progress (when the runs take no longer than the deadline estimates them, the
    /// ETA is never past the deadline itself, or the run in progress's end).
    ///
    /// - Parameters:
    ///   - runSeconds: a run's expected wall time (``SweepRunner``: the mean of the runs made so
    ///     far, the plan's duration and a child's start-up before the first).
    ///   - elapsed: how long the run in progress has taken so far.
    ///   - upcoming: the runs queued after it, in order.
    ///   - deadline: read now, on its own clock.
    public static func estimate(
        runSeconds: Double, elapsed: Double, upcoming: some Collection<SweepRun>, deadline: SweepDeadline?
    ) -> SweepETA {
        let inProgress = max(0, runSeconds - elapsed)
        guard let deadline else { return SweepETA(seconds: inProgress + Double(upcoming.count) * runSeconds) }
        let secondsLeft = deadline.secondsLeft
        var end = inProgress
        for run in upcoming {
            // What `deadline.allows(run)` will answer when this run's turn comes, `end` from now.
            guard end + deadline.estimatedRunSeconds(run) <= secondsLeft else {
                return SweepETA(seconds: end, boundedByBudget: true)
            }
            end += runSeconds
        }
        return SweepETA(seconds: end)
    }
}
