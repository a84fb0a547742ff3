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
    /// Later invocations that resumed the sweep.
    public var resumes: [Invocation] = []

    public struct Invocation: Sendable, Hashable, Codable {
        public var date: String
        public var commandLine: String
        public var cpuModel: String
        public var gitCommit: String?
    }

    public init(cpuModel: String, logicalCores: Int, memoryBytes: UInt64, os: String, kernel: String,
                swiftVersion: String, ticklabVersion: String = TickLabVersion.string, gitCommit: String?,
                gitDirty: Bool?, date: String, commandLine: String, reproduce: String, plan: SweepPlan?) {
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

    /// Describes this machine now.
    public static func current(commandLine: [String], reproduce: [String], plan: SweepPlan?) -> MachineInfo {
        let git = gitState()
        return MachineInfo(
            cpuModel: cpuModel(), logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: memoryBytes(), os: osName(), kernel: kernel(), swiftVersion: swiftVersion,
            gitCommit: git?.commit, gitDirty: git?.dirty, date: ISO8601DateFormatter().string(from: Date()),
            commandLine: ShellQuoting.join(commandLine), reproduce: ShellQuoting.join(reproduce), plan: plan)
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

    /// The compiler version, fixed when `ticklab` was built.
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        "6.4 or later"
        #elseif compiler(>=6.3.3)
        "6.3.3"
        #elseif compiler(>=6.3.2)
        "6.3.2"
        #elseif compiler(>=6.3.1)
        "6.3.1"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static func cpuModel() -> String {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #if os(macOS)
        var size = 0
        if sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0) == 0, size > 0 {
            var bytes = [CChar](repeating: 0, count: size)
            if sysctlbyname("machdep.cpu.brand_string", &bytes, &size, nil, 0) == 0 {
                return String(cString: bytes)
            }
        }
        #endif
        return "unknown"
    }

    static func memoryBytes() -> UInt64 {
        ProcessInfo.processInfo.physicalMemory
    }

    static func osName() -> String {
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return ProcessInfo.processInfo.operatingSystemVersionString
    }

    static func kernel() -> String {
        var name = utsname()
        guard uname(&name) == 0 else { return "unknown" }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(name.sysname)) \(text(name.release)) \(text(name.machine))"
    }

    /// The commit and cleanliness of the source tree this file was compiled from.
    static func gitState() -> (commit: String, dirty: Bool)? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: root + "/.git"),
              let head = try? ChildProcess.run(executable: "/usr/bin/env", arguments: ["git", "-C", root, "rev-parse", "HEAD"],
                                               timeout: 10),
              case .exited(0) = head.ending else { return nil }
        let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !commit.isEmpty else { return nil }
        let status = try? ChildProcess.run(
            executable: "/usr/bin/env", arguments: ["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
            timeout: 10)
        let dirty = status.map { !$0.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        return (commit, dirty)
    }
}
