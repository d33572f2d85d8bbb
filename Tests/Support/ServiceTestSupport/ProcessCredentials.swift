public import Foundation

/// Who a running process is, as the kernel reports it in `/proc/<pid>/status`: what a test reads
/// to prove a service did not run as root.
public struct ProcessCredentials: Sendable, Equatable {
    /// Real, effective, saved and file-system uid.
    public var uids: [uid_t]
    /// Real, effective, saved and file-system gid.
    public var gids: [gid_t]
    /// Supplementary groups.
    public var groups: [gid_t]
    /// The effective capability set, as the hexadecimal mask the kernel prints.
    public var effectiveCapabilities: String

    /// nil when the process is gone (or `/proc` is not Linux's).
    public init?(pid: pid_t) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [Substring: [Substring]] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...].split(whereSeparator: { $0 == "\t" || $0 == " " })
        }
        guard let uids = fields["Uid"]?.compactMap({ uid_t($0) }), uids.count == 4,
            let gids = fields["Gid"]?.compactMap({ gid_t($0) }), gids.count == 4,
            let capabilities = fields["CapEff"]?.first
        else { return nil }
        self.uids = uids
        self.gids = gids
        groups = fields["Groups"]?.compactMap { gid_t($0) } ?? []
        effectiveCapabilities = String(capabilities)
    }
}
