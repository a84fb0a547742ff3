import Capacity
import Foundation

/// Where and how a sweep ran: `machine.json`, and the machine block of the report.
///
/// Figures from a lab mean little without the machine: core count and CPU decide what
/// "parallel" can buy, and the exact command makes a run repeatable.
public struct MachineInfo: Sendable, Hashable, Codable {
    public static let schemaName = "ticklab.machine"
    public static let currentSchemaVersion = 1

    public var schema: String = MachineInfo.schemaName
    public var schemaVersion: Int = MachineInfo.currentSchemaVersion
    public var cpuModel: String
    public var logicalCores: Int
    public var memoryBytes: UInt64
    public var os: String
    public var kernel: String
    /// The compiler that built `ticklab`.
    public var swiftVersion: String
    public var ticklabVersion: String
    /// The commit of the source tree `ticklab` was built from, read when the sweep started;
    /// nil when git or the tree is not there.
    public var gitCommit: String?
    /// The tree had uncommitted changes.
    public var gitDirty: Bool?
    /// When the sweep started, ISO 8601 UTC.
    public var date: String
    /// The command line as typed.
    public var commandLine: String
    /// The command that runs the same sweep again, every value spelled out.
    public var reproduce: String
    public var plan: SweepPlan?
    /// The machine's floor, measured when the sweep started (`ticklab floor`); nil in sweeps made
    /// before it was.
    public var floor: MachineFloor? = nil
    /// The one calibration the sweep measured before its first cell and handed to every child;
    /// nil in sweeps made before it did.
    public var calibration: SweepCalibration? = nil
    /// Later invocations that resumed the sweep.
    public var resumes: [Invocation] = []

    public struct Invocation: Sendable, Hashable, Codable {
        public var date: String
        public var commandLine: String
        public var cpuModel: String
        public var gitCommit: String?

        public init(date: String, commandLine: String, cpuModel: String, gitCommit: String? = nil) {
            self.date = date
            self.commandLine = commandLine
            self.cpuModel = cpuModel
            self.gitCommit = gitCommit
        }
    }

    public init(
        cpuModel: String, logicalCores: Int, memoryBytes: UInt64, os: String, kernel: String,
        swiftVersion: String, ticklabVersion: String = TickLabVersion.string, gitCommit: String?,
        gitDirty: Bool?, date: String, commandLine: String, reproduce: String, plan: SweepPlan?
    ) {
        self.cpuModel = cpuModel
        self.logicalCores = logicalCores
        self.memoryBytes = memoryBytes
        self.os = os
        self.kernel = kernel
        self.swiftVersion = swiftVersion
        self.ticklabVersion = ticklabVersion
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.date = date
        self.commandLine = commandLine
        self.reproduce = reproduce
        self.plan = plan
    }

    /// How many nanoseconds one round of the work loop takes, measured once for a whole sweep.
    public struct SweepCalibration: Sendable, Hashable, Codable {
        /// The value every cell ran with (`run --calibration`).
        public var nanosPerRound: Double
        /// How many timed trials it was taken from, and their fastest and slowest.
        public var trials: Int
        public var minNanosPerRound: Double
        public var maxNanosPerRound: Double
        /// What other processes and the hypervisor took from the machine while the kept attempt
        /// ran: a calibration under load times slower rounds, so every cell of the sweep does less
        /// work than it asks for. Nil in sweeps made before it was measured, or off Linux.
        public var noise: NoiseAccount?
        /// How many attempts the sweep made to calibrate on a quiet machine (the quietest is
        /// kept); nil in sweeps made before it retried.
        public var attempts: Int?

        public init(
            nanosPerRound: Double, trials: Int, minNanosPerRound: Double, maxNanosPerRound: Double,
            noise: NoiseAccount? = nil, attempts: Int? = nil
        ) {
            self.nanosPerRound = nanosPerRound
            self.trials = trials
            self.minNanosPerRound = minNanosPerRound
            self.maxNanosPerRound = maxNanosPerRound
            self.noise = noise
            self.attempts = attempts
        }
    }

    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public static func load(_ path: String) -> MachineInfo? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(MachineInfo.self, from: data)
    }
}
