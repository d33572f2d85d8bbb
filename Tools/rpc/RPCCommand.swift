import ArgumentParser
import Foundation
import Logging
import NIOCore
import RPC

/// `rpc`: call any method of a running service with JSON, the way grpcurl explores a gRPC
/// server — how one service is explored and debugged alone.
@main
struct RPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "List, describe and call the methods of a running service over the internal RPC.",
        discussion: """
            Targets: host:port[,host:port...], dns://name:port, unix:/path.
            Authentication: the services' RPC secret from RPC_SECRET (or --rpc-secret, which other users can see in ps).
            Exit status: 0 on success, 1 when the call failed (status and message on stderr), 2 for bad usage.
            """,
        subcommands: [Call.self, Health.self, List.self, Describe.self, Contract.self]
    )
}

struct CallOptions: ParsableArguments {
    @Option(help: "Deadline of the call, e.g. 500ms, 5s.")
    var timeout = "5s"

    @Option(name: .customLong("request-id"), help: "Request id sent in the call's metadata.")
    var requestID: String?

    @Option(name: .customLong("metadata"), help: "Extra metadata as key=value (repeatable).")
    var metadata: [String] = []

    @Option(
        name: .customLong("rpc-secret"),
        help: "The services' shared RPC secret (default: $RPC_SECRET; prefer the variable, flags show in ps).")
    var rpcSecret: String?

    /// The flag, else the environment, like the services; empty means none.
    func secret() throws -> RPCSecret? {
        let text = rpcSecret ?? ProcessInfo.processInfo.environment["RPC_SECRET"] ?? ""
        guard !text.isEmpty else { return nil }
        guard let secret = RPCSecret(text) else {
            throw ValidationError("--rpc-secret (RPC_SECRET): must be at least \(RPCSecret.minimumLength) bytes")
        }
        return secret
    }

    func callOptions() throws -> RPCCallOptions {
        guard let timeout = DurationText.parse(timeout) else { throw ValidationError("--timeout: expected a duration like 500ms or 5s") }
        var options = RPCCallOptions(timeout: timeout)
        options.metadata.requestID = requestID ?? "rpc-cli-\(UInt32.random(in: 0...UInt32.max))"
        for entry in metadata {
            guard let equals = entry.firstIndex(of: "=") else { throw ValidationError("--metadata \(entry): expected key=value") }
            options.metadata[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return options
    }
}

struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Call <method> with a JSON request and print the JSON reply.")

    @Argument(help: "Where the service listens.")
    var target: String

    @Argument(help: "Method name, e.g. rpc.health.")
    var method: String

    @Argument(help: "The request as JSON; '-' reads it from standard input.")
    var json = "{}"

    @OptionGroup var options: CallOptions

    func run() async throws {
        let body = json == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : json
        try await withCLIClient(target, secret: try options.secret()) { client in
            let reply = try await client.callJSON(method: method, body: ByteBuffer(string: body), options: try options.callOptions())
            print(String(buffer: reply))
        }
    }
}

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask a service whether it is serving (exit 0) or not (exit 1).")

    @Argument(help: "Where the service listens.")
    var target: String

    @OptionGroup var options: CallOptions

    func run() async throws {
        try await withCLIClient(target, secret: try options.secret()) { client in
            let reply = try await client.call(.health, HealthRequest(), options: try options.callOptions())
            print(#"{"service":"\#(reply.service)","status":"\#(reply.status)"}"#)
            if reply.status != .serving { throw ExitCode(1) }
        }
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the methods a service answers, one per line.")

    @Argument(help: "Where the service listens.")
    var target: String

    @OptionGroup var options: CallOptions

    func run() async throws {
        try await withCLIClient(target, secret: try options.secret()) { client in
            let reply = try await client.call(.methodList, MethodListRequest(), options: try options.callOptions())
            for method in reply.methods {
                print(method.isIdempotent ? "\(method.name)  (idempotent)" : method.name)
            }
        }
    }
}

struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a method's request and response as JSON shapes (what `rpc call` takes and prints).")

    @Argument(help: "Where the service listens.")
    var target: String

    @Argument(help: "Method name, e.g. rpc.health.")
    var method: String

    @OptionGroup var options: CallOptions

    func run() async throws {
        try await withCLIClient(target, secret: try options.secret()) { client in
            let reply = try await client.call(.describe, DescribeRequest(method: method), options: try options.callOptions())
            print(reply.isIdempotent ? "\(reply.name)  (idempotent)" : reply.name)
            print("request: \(reply.request)")
            print("response: \(reply.response)")
        }
    }
}

struct Contract: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the wire contract a service serves, in the committed text form (diff it with the file).")

    @Argument(help: "Where the service listens.")
    var target: String

    @OptionGroup var options: CallOptions

    func run() async throws {
        try await withCLIClient(target, secret: try options.secret()) { client in
            print(try await client.call(.contract, MethodListRequest(), options: try options.callOptions()).text, terminator: "")
        }
    }
}

/// Runs a client for the length of one command; RPC failures become one line on stderr.
private func withCLIClient(_ targetText: String, secret: RPCSecret?, _ body: (RPCClient) async throws -> Void) async throws {
    let target: RPCTarget
    do {
        target = try RPCTarget(parsing: targetText)
    } catch {
        throw ValidationError("\(error)")
    }
    var logger = Logger(label: "rpc")
    // The failed call's own line says it all; the client's logs are for long-running services.
    logger.logLevel = .critical
    var configuration = RPCClientConfiguration()
    configuration.connectionsPerEndpoint = 1
    configuration.maximumAttempts = 1
    // An operator asks an instance that is not ready what it is doing, too.
    configuration.requiresServingHealth = false
    configuration.secret = secret
    let client = RPCClient(target: target, configuration: configuration, logger: logger)
    let running = Task { try await client.run() }
    defer { running.cancel() }
    do {
        try await body(client)
    } catch let error as RPCError {
        FileHandle.standardError.write(Data("error: \(error.code): \(error.message)\n".utf8))
        throw ExitCode(1)
    }
}
