import Foundation
import Results

// Gathering what `machine.json` records needs child processes (git) and the OS: the sweep's
// work, not the schema's.
extension MachineInfo {
    /// Describes this machine now.
    public static func current(commandLine: [String], reproduce: [String], plan: SweepPlan?) -> MachineInfo {
        let git = gitState()
        return MachineInfo(
            cpuModel: cpuModel(), logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: memoryBytes(), os: osName(), kernel: kernel(), swiftVersion: swiftVersion,
            gitCommit: git?.commit, gitDirty: git?.dirty, date: ISO8601DateFormatter().string(from: Date()),
            commandLine: ShellQuoting.join(commandLine), reproduce: ShellQuoting.join(reproduce), plan: plan)
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
            let colon = line.firstIndex(of: ":")
        {
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
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") })
        {
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
            let head = try? ChildProcess.run(
                executable: "/usr/bin/env", arguments: ["git", "-C", root, "rev-parse", "HEAD"],
                timeout: 10),
            case .exited(0) = head.ending
        else { return nil }
        let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !commit.isEmpty else { return nil }
        let status = try? ChildProcess.run(
            executable: "/usr/bin/env",
            arguments: ["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
            timeout: 10)
        let dirty = status.map { !$0.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        return (commit, dirty)
    }
}
