import Foundation

/// Runs a service's build command (`/bin/sh -c`) and collects its output.
///
/// Foundation's `Process` is fine here, unlike for instances (see ``ChildProcess``): a build
/// may share the master's process group and signal dispositions, and Ctrl-C should stop it too.
enum BuildCommand {
    struct Result: Sendable {
        var succeeded: Bool
        var status: String
        /// Standard output and error, interleaved.
        var output: String
    }

    static func run(_ command: String, in directory: String) async -> Result {
        await withCheckedContinuation { continuation in
            // Reading the pipe to its end blocks: a thread of its own, never the cooperative pool.
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                process.currentDirectoryURL = URL(fileURLWithPath: directory)
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: Result(succeeded: false, status: "not started", output: "\(error)"))
                    return
                }
                let output = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                let status =
                    process.terminationReason == .exit
                    ? "exit \(process.terminationStatus)" : "signal \(process.terminationStatus)"
                continuation.resume(
                    returning: Result(
                        succeeded: process.terminationReason == .exit && process.terminationStatus == 0, status: status,
                        output: String(decoding: output, as: UTF8.self)))
            }
            thread.name = "build"
            thread.start()
        }
    }
}
