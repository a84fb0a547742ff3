import CSystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ties a child process's life to the process that started it, so that a sweep killed with
/// SIGKILL takes its running cell with it instead of leaving it to run on, re-parented, and
/// share the cores with the next measurement.
///
/// The parent passes its pid (`ticklab run --parent-pid`); the child calls `bind` first thing.
/// On Linux the kernel then sends the child SIGKILL when the parent's spawning *thread* ends
/// (PR_SET_PDEATHSIG tracks the thread, not the process): the parent must start its children
/// from a thread that lives as long as it waits for them (the sweep uses its main thread).
public enum ParentProcessLink {
    public enum Outcome: Sendable, Equatable {
        /// The child will die with its parent.
        case bound
        /// The parent is already gone (it died before `bind`): the child should end at once.
        case parentGone
        /// The system has no parent-death signal; the parent was alive when checked.
        case unsupported
    }

    /// Asks for SIGKILL when the parent ends, then checks that `parent` is still the parent:
    /// if it died before the request, the child was re-parented and no signal will come.
    public static func bind(to parent: pid_t) -> Outcome {
        let requested = ticklab_set_parent_death_signal(SIGKILL) == 0
        // After the request: a parent that dies from here on kills the child, and one that
        // died before shows as a different parent (init or a subreaper).
        guard getppid() == parent else { return .parentGone }
        return requested ? .bound : .unsupported
    }
}
