import Clocks
import Foundation
import Pipeline

/// Runs a program to its end in a fresh process, with its output captured in files.
///
/// Each sweep cell runs in its own process so that no run inherits another's threads, heap or
/// warm caches. Output goes to unlinked temporary files rather than pipes: nothing has to drain
/// them while the child runs, so the parent needs no second thread and a chatty child cannot
/// block.
/// The parent waits by polling (every 50 ms), which also lets it draw progress, honour a stop
/// request and enforce a time limit without signals of its own.
public enum ChildProcess {
    public enum Ending: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)
    }

    public struct Outcome: Sendable {
        public var ending: Ending
        public var stdout: String
        /// At most the last 64 KiB.
        public var stderr: String
        public var wallSeconds: Double
        /// The time limit passed and the child was stopped.
        public var timedOut: Bool
        /// A stop request ended the child.
        public var stopped: Bool
    }

    /// The program could not be started at all.
    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// How long a child that outlived its limit gets to end after SIGTERM before SIGKILL.
    static let terminationGrace: Double = 5

    /// Runs `executable` with `arguments` and waits for it.
    /// - Parameters:
    ///   - timeout: seconds after which the child is sent SIGTERM, then SIGKILL.
    ///   - stop: when requested, the child is killed at once (its output is not wanted).
    ///   - whileRunning: called about every 0.5 s with the seconds elapsed.
    ///   - temporaryDirectory: where the output files are made (and at once unlinked).
    public static func run(
        executable: String, arguments: [String], timeout: Double? = nil, stop: StopSignal? = nil,
        temporaryDirectory: String = NSTemporaryDirectory(),
        whileRunning: (Double) -> Void = { _ in }
    ) throws(SpawnError) -> Outcome {
        let base = temporaryDirectory + "/ticklab-child-\(getpid())-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        let outFD = open(outPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        let errFD = open(errPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        // The names go at once: the descriptors keep the files alive for the child and for
        // reading back, and a parent killed with SIGKILL leaves nothing behind.
        unlink(outPath)
        unlink(errPath)
        defer {
            if outFD >= 0 { close(outFD) }
            if errFD >= 0 { close(errFD) }
        }
        guard outFD >= 0, errFD >= 0 else {
            throw SpawnError(
                description: "cannot create output files in \(temporaryDirectory): \(String(cString: strerror(errno)))")
        }

        let started = MonotonicClock.now()
        let pid = try spawn(executable, arguments, stdout: outFD, stderr: errFD)
        var status: Int32 = 0
        var timedOut = false, stopped = false
        var lastCallback = 0.0
        var terminatedAt: Double?
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR {
                throw SpawnError(description: "cannot wait for '\(executable)': \(String(cString: strerror(errno)))")
            }
            let elapsed = Double(MonotonicClock.now() - started) / 1e9
            if let stop, stop.isRequested, !stopped {
                stopped = true
                kill(pid, SIGKILL)
            }
            if let timeout, elapsed > timeout, terminatedAt == nil {
                timedOut = true
                terminatedAt = elapsed
                kill(pid, SIGTERM)
            }
            if let terminatedAt, elapsed > terminatedAt + terminationGrace {
                kill(pid, SIGKILL)
            }
            if elapsed - lastCallback >= 0.5 {
                lastCallback = elapsed
                whileRunning(elapsed)
            }
            usleep(50_000)
        }
        let wall = Double(MonotonicClock.now() - started) / 1e9
        let signalNumber = status & 0x7F
        let ending: Ending = signalNumber == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signalNumber)
        return Outcome(
            ending: ending, stdout: read(outFD, limit: 16 << 20), stderr: read(errFD, limit: 64 << 10),
            wallSeconds: wall, timedOut: timedOut, stopped: stopped)
    }

    private static func spawn(_ executable: String, _ arguments: [String], stdout: Int32, stderr: Int32)
        throws(SpawnError) -> pid_t
    {
        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // The parent ignores SIGINT and SIGTERM while it handles them; the child starts with the
        // defaults and an empty mask, as if started from a shell.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let environment: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in environment { free(pointer) }
        }
        var pid: pid_t = 0
        let result =
            executable.contains("/")
            ? posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
            : posix_spawnp(&pid, executable, &actions, &attributes, argv, environment)
        guard result == 0 else {
            throw SpawnError(description: "cannot start '\(executable)': \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The end of what the child wrote to `fd`, at most `limit` bytes.
    private static func read(_ fd: Int32, limit: Int) -> String {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return "" }
        let start = max(0, size - limit)
        let count = size - start
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + offset, count - offset, off_t(start + offset))
            }
            if n <= 0 { break }
            offset += n
        }
        return String(decoding: bytes.prefix(offset), as: UTF8.self)
    }
}
