import Foundation

/// A command-line client a test runs (curl, openssl s_client), bounded in time. Its output goes
/// to files, not pipes: a body larger than a pipe holds would stall the tool until read.
public enum ToolProcess {
    public struct Run: Sendable {
        /// The exit status; meaningless when the tool had to be killed.
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        /// From start to exit (or to the timeout).
        public var elapsed: Duration
        /// The tool ended within the timeout; otherwise it was killed there.
        public var exitedByItself: Bool
    }

    /// Runs `arguments` through `/usr/bin/env`. With `input`, the tool's standard input is a pipe
    /// that gets those bytes and stays open until the tool ends (so it never sees an end of input).
    public static func run(_ arguments: [String], input: [UInt8]? = nil, timeout: Duration) async throws -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stdout = folder.appendingPathComponent("stdout")
        let stderr = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        let pipe = input.map { _ in Pipe() }
        if let pipe { process.standardInput = pipe }
        let start = ContinuousClock.now
        try process.run()
        defer { try? pipe?.fileHandleForWriting.close() }
        if let pipe, let input, !input.isEmpty { try pipe.fileHandleForWriting.write(contentsOf: input) }
        // Polled, not waitUntilExit: that would block one of the few threads other tasks run on.
        while process.isRunning, ContinuousClock.now < start + timeout {
            try await Task.sleep(for: .milliseconds(10))
        }
        let elapsed = ContinuousClock.now - start
        let exitedByItself = !process.isRunning
        if !exitedByItself {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        }
        return Run(
            status: process.terminationStatus, stdout: Array(try Data(contentsOf: stdout)),
            stderr: String(decoding: try Data(contentsOf: stderr), as: UTF8.self), elapsed: elapsed, exitedByItself: exitedByItself)
    }
}
