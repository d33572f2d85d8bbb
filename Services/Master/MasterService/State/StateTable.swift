import Foundation

/// The snapshot as an aligned plain-text table, for people and for scripts that print it
/// (`GET /instances.txt`), so no JSON tool is needed on the machine.
enum StateTable {
    static func render(_ snapshot: MasterSnapshot) -> String {
        var rows = [["SERVICE", "#", "PID", "STATE", "RPC", "HTTP", "ADMIN", "RESTARTS", "LAST EXIT"]]
        for entry in snapshot.instances {
            rows.append([
                entry.service.rawValue,
                "\(entry.index)",
                entry.pid.map(String.init) ?? "-",
                entry.state.rawValue + (entry.role == .current || entry.role == nil ? "" : " (\(entry.role?.rawValue ?? ""))")
                    + (entry.crashLoop ? " crash-loop" : ""),
                entry.ports?.rpc.map(String.init) ?? "-",
                entry.ports?.http.map(String.init) ?? "-",
                entry.ports.map { String($0.admin) } ?? "-",
                "\(entry.restarts)",
                entry.lastExit?.status ?? "-",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
                .trimmingTrailingSpaces()
        }
        return (["phase: \(snapshot.phase)"] + lines).joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
