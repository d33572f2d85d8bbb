public import Foundation

/// Throwaway self-signed certificates made with the `openssl` command at test time, each with
/// its own common name so a test can tell which one a connection got. The folder is handed to
/// the account the services run as (``UnprivilegedAccount/giveToServices(_:)``), so an edge
/// started by the tests can read the key.
public struct TestCertificates: Sendable {
    public let folder: URL

    public init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    public func certificate(_ name: String) -> String { folder.appendingPathComponent("\(name).crt").path }
    public func key(_ name: String) -> String { folder.appendingPathComponent("\(name).key").path }

    /// Writes `<name>.crt` and `<name>.key` (P-256, one day, for 127.0.0.1 and localhost).
    public func make(_ name: String) throws {
        try run(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj '/CN=\(name)'"
                + " -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost'"
                + " -keyout '\(key(name))' -out '\(certificate(name))'")
        // openssl writes the key for its owner only; an edge process may run as another user.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key(name))
        try UnprivilegedAccount.giveToServices(folder)
    }

    /// Copies `<from>`'s pair over `<to>`'s: a certificate rotation as an operator does it.
    public func copy(_ from: String, over to: String) throws {
        for (source, target) in [(certificate(from), certificate(to)), (key(from), key(to))] {
            try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: target))
        }
        try UnprivilegedAccount.giveToServices(folder)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func run(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ServiceProcessError(description: "openssl failed: \(command)") }
    }
}
