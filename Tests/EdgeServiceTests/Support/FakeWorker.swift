import AppServerProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RPC
import ServiceLifecycle

let quietLogger = Logger(label: "edge-test") { _ in SwiftLogNoOpLogHandler() }

/// What a fake worker received: the envelope and the call's metadata.
struct ReceivedCall: Sendable {
    var worker: String
    var request: HTTPEnvelopeRequest
    var metadata: RPCMetadata

    func header(_ name: String) -> String? {
        request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Shared by the fake workers of one test: the calls they received and how they behave.
final class WorkerScript: Sendable {
    private let state = NIOLockedValueBox<(calls: [ReceivedCall], applied: [String], hangTaken: Bool)>(([], [], false))

    var calls: [ReceivedCall] { state.withLockedValue { $0.calls } }
    /// Worker names, once per `/api/hang` request a handler started (what "applied" means here).
    var applied: [String] { state.withLockedValue { $0.applied } }

    func record(_ call: ReceivedCall) {
        state.withLockedValue { $0.calls.append(call) }
    }

    /// True for the first `/api/hang` request of the test only, so a retry is answered.
    func takeHang(worker: String) -> Bool {
        state.withLockedValue { state in
            state.applied.append(worker)
            defer { state.hangTaken = true }
            return !state.hangTaken
        }
    }
}

/// A worker stand-in: a real `RPCServer` serving `.handleHTTP` on loopback, or in process
/// (``InProcessTransport``) for tests that are not about the connection to workers. Behaviour by path:
/// `/api/sleep?ms=N` sleeps, `/api/fail` throws an internal error, `/api/hang` hangs the first
/// time (see ``WorkerScript``), `/api/big?kb=N` answers N KiB, anything else answers 200 with a
/// JSON summary of what it got.
struct FakeWorker {
    let name: String
    let server: RPCServer
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let port: Int
    /// Set for an in-process worker: the edge reaches it through `transport.client`.
    let transport: InProcessTransport?

    static func start(name: String, script: WorkerScript, inProcess: Bool = false) async throws -> FakeWorker {
        var router = RPCRouter()
        router.register(.handleHTTP) { request, context in
            script.record(ReceivedCall(worker: name, request: request, metadata: context.metadata))
            let path = request.target.split(separator: "?").first.map(String.init) ?? request.target
            switch path {
            case "/api/sleep":
                let ms = Int(request.target.split(separator: "=").last ?? "0") ?? 0
                try await Task.sleep(for: .milliseconds(ms))
            case "/api/fail":
                throw RPCError(.internal, "boom")
            case "/api/hang":
                if script.takeHang(worker: name) { try await Task.sleep(for: .seconds(60)) }
            case "/api/splitting":
                // A worker trying to split the response: the edge must not pass this on.
                return HTTPEnvelopeResponse(
                    status: 200, headers: [HTTPHeaderField(name: "X-Evil", value: "a\r\nSet-Cookie: owned=1")], body: [])
            case "/api/big":
                let kibibytes = Int(request.target.split(separator: "=").last ?? "1") ?? 1
                return HTTPEnvelopeResponse(
                    status: 200, headers: [HTTPHeaderField(name: "Content-Type", value: "application/octet-stream")],
                    body: Array(repeating: UInt8(ascii: "b"), count: kibibytes * 1024))
            case "/api/badname":
                return HTTPEnvelopeResponse(status: 200, headers: [HTTPHeaderField(name: "Bad Name", value: "x")], body: [])
            default:
                break
            }
            let body = #"{"worker":"\#(name)","method":"\#(request.method)","bytes":\#(request.body.readableBytes)}"#
            return HTTPEnvelopeResponse(
                status: 200,
                headers: [
                    HTTPHeaderField(name: "Content-Type", value: "application/json"),
                    HTTPHeaderField(name: "X-Worker", value: name),
                    HTTPHeaderField(name: "Connection", value: "upgrade"),
                ],
                body: Array(body.utf8))
        }
        if inProcess {
            let transport = InProcessTransport(logger: quietLogger)
            let server = RPCServer(transport: transport.server, router: router, serviceName: name)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger))
            let task = Task { try await group.run() }
            return FakeWorker(name: name, server: server, group: group, task: task, port: 0, transport: transport)
        }
        let server = RPCServer(
            configuration: RPCServerConfiguration(bindTarget: .tcp(host: "127.0.0.1", port: 0)),
            router: router, serviceName: name, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger))
        let task = Task { try await group.run() }
        let address = try await server.localAddress()
        return FakeWorker(name: name, server: server, group: group, task: task, port: address.port ?? 0, transport: nil)
    }

    var target: String { "127.0.0.1:\(port)" }

    /// Ends the worker abruptly: its connections close with calls in flight.
    func kill() async {
        task.cancel()
        _ = try? await task.value
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
