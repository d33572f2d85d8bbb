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

    /// The file cannot be written: without it a master started after this one is killed
    /// could neither stop the instances left behind nor see that this one still runs, so
    /// the master does not start (as nginx does not without its pid file).
    struct Unwritable: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String {
            "cannot write the children file \(path) (\(reason)); give --children-file a path this account can write"
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
    /// is itself still running, or if the file cannot be written.
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
        try write([:])
    }

    func started(pid: Int32, name: String) {
        guard let startTime = Self.startTime(of: pid) else { return }
        children.withLockedValue { children in
            children[pid] = Entry(pid: pid, startTime: startTime, name: name)
            try? write(children)
        }
    }

    func reaped(pid: Int32) {
        children.withLockedValue { children in
            children[pid] = nil
            try? write(children)
        }
    }

    /// Removes the file once every instance has stopped.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    // MARK: File

    /// First line: the master; then one line per instance: `pid start-time name`. Once
    /// ``reclaim(stopTimeout:logger:)`` has written it, later writes go to a file known to be
    /// writable, and the callers ignore the rare failure: the instances run either way.
    private func write(_ children: [Int32: Entry]) throws(Unwritable) {
        guard let master = Self.startTime(of: getpid()) else { return }
        var text = "\(getpid()) \(master) master\n"
        for entry in children.values.sorted(by: { $0.pid < $1.pid }) {
            text += "\(entry.pid) \(entry.startTime) \(entry.name)\n"
        }
        // Written whole and renamed, so a master killed mid-write leaves the previous version.
        let temporary = path + ".tmp"
        let failure = { [path] (step: String) in Unwritable(path: path, reason: "\(step): \(String(cString: strerror(errno)))") }
        let file = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw failure("creating \(temporary)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
        let writeFailure = written == bytes.count ? nil : failure("writing \(temporary)")
        close(file)
        if let writeFailure {
            unlink(temporary)
            throw writeFailure
        }
        guard rename(temporary, path) == 0 else {
            let renameFailure = failure("renaming \(temporary)")
            unlink(temporary)
            throw renameFailure
        }
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
