import Foundation
import Logging
import NIOConcurrencyHelpers

/// The instances a master runs, kept in a file, so that a master started after another was
/// killed finds the instances it left behind and stops them before it needs their ports.
///
/// Instances stop by themselves once their master is gone (`SUPERVISOR_PID`), but one that is
/// hung, or still draining, would keep its ports; the next master must not fail on a bound
/// port without saying why. Each process is recorded with its start time (from
/// `/proc/<pid>/stat`), so a pid reused by an unrelated process is never signalled.
final class ChildRegistry: Sendable {
    struct Entry: Equatable, Sendable {
        var pid: Int32
        var startTime: UInt64
        var name: String
    }

    struct InUse: Error, CustomStringConvertible {
        var path: String
        var master: Int32
        var description: String {
            "another master (pid \(master)) is running with the children file \(path); give each master its own --children-file"
        }
    }

    let path: String
    private let children = NIOLockedValueBox<[Int32: Entry]>([:])

    init(path: String) {
        self.path = path
    }

    /// The default file: one per admin port, which is already unique per master on a machine.
    static func defaultPath(adminPort: Int) -> String {
        FileManager.default.temporaryDirectory.appending(path: "master-\(adminPort).children").path
    }

    /// Stops every instance a previous master recorded that is still running (SIGTERM, then
    /// SIGKILL after `stopTimeout`), then claims the file. Throws if the master that wrote it
    /// is itself still running.
    func reclaim(stopTimeout: Duration, logger: Logger) async throws {
        let (master, recorded) = read()
        if let master, master.pid != getpid(), Self.isRunning(master) {
            throw InUse(path: path, master: master.pid)
        }
        let leftovers = recorded.filter(Self.isRunning)
        if !leftovers.isEmpty {
            logger.warning(
                "found instances left by a previous master; stopping them",
                metadata: [
                    "previous-master": "\(master?.pid ?? 0)",
                    "instances": "\(leftovers.map { "\($0.name) pid \($0.pid)" }.joined(separator: ", "))",
                ])
            for entry in leftovers { kill(entry.pid, SIGTERM) }
            let deadline = ContinuousClock.now + stopTimeout
            while leftovers.contains(where: Self.isRunning), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            for entry in leftovers where Self.isRunning(entry) {
                logger.warning("a leftover instance did not stop in time; killing it", metadata: ["pid": "\(entry.pid)"])
                kill(entry.pid, SIGKILL)
            }
        }
        write([:])
    }

    func started(pid: Int32, name: String) {
        guard let startTime = Self.startTime(of: pid) else { return }
        children.withLockedValue { children in
            children[pid] = Entry(pid: pid, startTime: startTime, name: name)
            write(children)
        }
    }

    func reaped(pid: Int32) {
        children.withLockedValue { children in
            children[pid] = nil
            write(children)
        }
    }

    /// Removes the file once every instance has stopped.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    // MARK: File

    /// First line: the master; then one line per instance: `pid start-time name`.
    private func write(_ children: [Int32: Entry]) {
        guard let master = Self.startTime(of: getpid()) else { return }
        var text = "\(getpid()) \(master) master\n"
        for entry in children.values.sorted(by: { $0.pid < $1.pid }) {
            text += "\(entry.pid) \(entry.startTime) \(entry.name)\n"
        }
        // Written whole and renamed, so a master killed mid-write leaves the previous version.
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else { return }
        _ = rename(temporary, path)
    }

    func read() -> (master: Entry?, children: [Entry]) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return (nil, []) }
        let entries = text.split(separator: "\n").compactMap { line -> Entry? in
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, let pid = Int32(fields[0]), pid > 1, let startTime = UInt64(fields[1]) else { return nil }
            return Entry(pid: pid, startTime: startTime, name: String(fields[2]))
        }
        guard let first = entries.first, first.name == "master" else { return (nil, entries) }
        return (first, Array(entries.dropFirst()))
    }

    // MARK: Processes

    static func isRunning(_ entry: Entry) -> Bool {
        startTime(of: entry.pid) == entry.startTime
    }

    /// Field 22 of `/proc/<pid>/stat`: when the process started, in clock ticks since boot.
    /// nil when there is no such process (or no /proc).
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name (which may contain spaces and parentheses) come fields 3….
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return UInt64(fields[19])
    }
}
