/// The `curl` command against a TLS edge: what a real HTTP/2 and TLS client does, which the
/// raw client cannot.
public enum Curl {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `curl -s <arguments>` (bounded): with `-k`, accepting any certificate, or verifying
    /// the server's against `trusting` (a PEM file, `--cacert`) when it is given. curl's own
    /// `--max-time` is 5 seconds shorter than `timeout`, so it usually reports a stall itself.
    public static func run(_ arguments: [String], trusting certificate: String? = nil, timeout: Duration = .seconds(20)) async throws
        -> Result
    {
        let trust = certificate.map { ["-s", "--cacert", $0] } ?? ["-sk"]
        let run = try await ToolProcess.run(
            ["curl"] + trust + ["--max-time", "\(max(1, timeout.components.seconds - 5))"] + arguments, timeout: timeout)
        guard run.exitedByItself else { throw ServiceProcessError(description: "curl did not finish within \(timeout)") }
        return Result(status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self), stderr: run.stderr)
    }

    /// `-w` fields of one request: HTTP version, status, body size, then the body itself.
    public static func fetch(_ url: String, _ options: [String] = [], trusting certificate: String? = nil) async throws -> (
        version: String, status: Int, body: String
    ) {
        let result = try await run(options + ["-w", "\n%{http_version} %{http_code}", url], trusting: certificate)
        guard result.status == 0, let split = result.stdout.lastIndex(of: "\n") else {
            throw ServiceProcessError(description: "curl \(options) \(url) failed (\(result.status)): \(result.stderr)")
        }
        let fields = result.stdout[result.stdout.index(after: split)...].split(separator: " ")
        guard fields.count == 2, let status = Int(fields[1]) else {
            throw ServiceProcessError(description: "unexpected curl output: \(result.stdout)")
        }
        return (String(fields[0]), status, String(result.stdout[..<split]))
    }

    /// The subject common name of the certificate a new connection was given (from `-v`).
    public static func certificateName(_ url: String) async throws -> String? {
        let result = try await run(["-v", "-o", "/dev/null", url])
        guard let line = result.stderr.split(separator: "\n").first(where: { $0.contains("subject: CN=") }) else { return nil }
        return line.split(separator: "CN=").last.map { String($0.prefix { $0 != "," && $0 != ";" && $0 != " " }) }
    }
}
