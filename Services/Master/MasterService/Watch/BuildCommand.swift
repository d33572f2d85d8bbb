import Foundation

/// Runs a service's build command (`/bin/sh -c`) and collects its output.
///
/// Started like an instance (``ChildProcess``: a process group of its own), so that when the
/// master stops during a build the whole build — the shell and the compiler processes under
/// it — is stopped with one signal to the group instead of holding the master's exit until
/// it finishes. The output goes to a temporary file rather than a pipe, which `posix_spawn`
/// as used here cannot set up and which an unread compiler could fill.
enum BuildCommand {
    struct Result: Sendable {
        var succeeded: Bool
        var status: String
        /// Standard output and error, interleaved.
        var output: String
    }

    static func run(_ command: String, in directory: String) async -> Result {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("master-build-\(getpid())-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let script = "cd \(quoted(directory)) || exit 127\nexec >\(quoted(log.path)) 2>&1 </dev/null\n\(command)"
        let pid: Int32
        do {
            pid = try ChildProcess.spawn(
                executable: "/bin/sh", arguments: ["-c", script], environment: ProcessInfo.processInfo.environment)
        } catch {
            return Result(succeeded: false, status: "not started", output: error.description)
        }
        let status = await withTaskCancellationHandler {
            await ChildProcess.exitStatus(of: pid)
        } onCancel: {
            // The master is stopping: the build's whole process group goes with it. Signalled
            // only while the shell has not been reaped, so its pid is still this group's id.
            _ = kill(-pid, SIGTERM)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Result(succeeded: status.isCleanExit, status: status.description, output: output)
    }

    /// One shell word, whatever the text holds.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
