import Foundation

/// Resident memory of a process, from Linux's `/proc/<pid>/status`.
enum ResidentMemory {
    /// Bytes of `VmRSS`, or nil where there is no procfs or the process is gone.
    static func bytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return parse(status: status)
    }

    /// `VmRSS:	   12345 kB` → 12345 × 1024.
    static func parse(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst("VmRSS:".count).split(whereSeparator: \.isWhitespace)
            guard let amount = fields.first.flatMap({ Int($0) }) else { return nil }
            return amount * 1024
        }
        return nil
    }
}
