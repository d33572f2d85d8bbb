import Foundation

/// Runs a command to completion within a time limit.
///
/// Output goes to a temporary file rather than a pipe, so nothing has to drain it while we wait.
struct Subprocess {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let reason: String
        let output: String

        var description: String {
            "`\(command)` \(reason)" + (output.isEmpty ? "" : "; output:\n\(output)")
        }
    }

    /// Runs `executable` with `arguments`, as `user` when given (only possible as root, via runuser).
    /// Returns the combined stdout and stderr, or throws when it fails or outlives `timeout`.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], asUser user: String? = nil, timeout: Duration) throws -> String {
        var launch = [executable.path] + arguments
        if let user {
            launch = [try runuser().path, "-u", user, "--"] + launch
        }
        #if os(Linux)
            launch = ["/bin/bash", "-c", closeInheritedDescriptors, "close-fds"] + launch
        #endif
        let process = Process()
        process.executableURL = URL(filePath: launch[0])
        process.arguments = Array(launch.dropFirst())
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")

        let outputURL = FileManager.default.temporaryDirectory
            .appending(path: "subprocess-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw Failure(command: command, reason: "could not create its output file \(outputURL.path)", output: "")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        defer { try? outputHandle.close() }
        process.standardOutput = outputHandle
        process.standardError = outputHandle
        process.standardInput = FileHandle.nullDevice

        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        let readOutput = { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
        if exited.wait(timeout: .now() + timeout.timeInterval) == .timedOut {
            process.terminate()
            _ = exited.wait(timeout: .now() + 5)
            throw Failure(command: command, reason: "did not finish within \(timeout)", output: readOutput())
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure(command: command, reason: "failed with status \(process.terminationStatus)", output: readOutput())
        }
        return readOutput()
    }

    /// Foundation's `Process` on Linux learns that a child ended when a socket the child inherited
    /// closes. `pg_ctl start` leaves the server running with that socket, so the exit of pg_ctl would go
    /// unnoticed until the server stops. Closing every descriptor above stderr before exec avoids it
    /// (Foundation still reaps the child with waitpid). bash, because dash cannot close fds above 9.
    private static let closeInheritedDescriptors =
        #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; if (( fd > 2 )); then eval "exec $fd>&-"; fi; done; exec "$@""#

    private static func runuser() throws -> URL {
        let candidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        guard let path = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure(command: "runuser", reason: "not found (looked in \(candidates.joined(separator: ", ")))", output: "")
        }
        return URL(filePath: path)
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
