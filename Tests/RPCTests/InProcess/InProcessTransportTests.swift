import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import XCTest

@testable import RPC

/// The in-process transport keeps everything a socket call has but the socket: codec,
/// interceptors, deadlines, cancellation, retries, graceful shutdown.
final class InProcessTransportTests: XCTestCase {
    func testCallsRunTheCodecBothWays() async throws {
        try await withInProcess(router: echoRouter(name: "a")) { client, _ in
            let reply = try await client.call(.echo, Echo(text: "hi"))
            XCTAssertEqual(reply, Echo(text: "a:hi"))

            var json = ByteBuffer(string: #"{"text":"json","sleepMilliseconds":0}"#)
            var answer = try await client.callJSON(method: "test.echo", body: json)
            XCTAssertTrue(answer.readString(length: answer.readableBytes)?.contains(#""text":"a:json""#) ?? false)

            json = ByteBuffer(string: #"{"text": 5}"#)
            await assertRPCError(.invalidArgument) { try await client.callJSON(method: "test.echo", body: json) }
            await assertRPCError(.unimplemented) { try await client.callJSON(method: "test.missing", body: json) }
        }
    }

    func testDeadlineCancelsTheHandler() async throws {
        let log = HandlerLog()
        try await withInProcess(router: echoRouter(name: "a", log: log)) { client, _ in
            let started = ContinuousClock.now
            await assertRPCError(.deadlineExceeded) {
                try await client.call(
                    .echo, Echo(text: "slow", sleepMilliseconds: 10_000), options: RPCCallOptions(timeout: .milliseconds(100)))
            }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
            try await eventually { log.cancelled == 1 }
        }
    }

    func testCallerCancellationReachesTheHandler() async throws {
        let log = HandlerLog()
        try await withInProcess(router: echoRouter(name: "a", log: log)) { client, _ in
            let call = Task { try await client.call(.echo, Echo(text: "slow", sleepMilliseconds: 10_000)) }
            try await Task.sleep(for: .milliseconds(50))
            call.cancel()
            do {
                _ = try await call.value
                XCTFail("a cancelled call succeeded")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .cancelled)
            }
            try await eventually { log.cancelled == 1 }
        }
    }

    func testInterceptorsRunOnBothSidesInOrder() async throws {
        let order = NIOLockedValueBox<[String]>([])
        let server: [any RPCServerInterceptor] = [
            RecordingServerInterceptor(name: "s1", order: order), RequireMetadata(key: "tenant"),
            RecordingServerInterceptor(name: "s2", order: order),
        ]
        let client: [any RPCClientInterceptor] = [
            RecordingClientInterceptor(name: "c1", order: order), AddMetadata(key: "tenant", value: "t1"),
            RecordingClientInterceptor(name: "c2", order: order),
        ]
        try await withInProcess(router: echoRouter(name: "a"), serverInterceptors: server, clientInterceptors: client) { client, _ in
            _ = try await client.call(.echo, Echo(text: "x"))
            XCTAssertEqual(order.withLockedValue { $0 }, ["c1", "c2", "s1", "s2"])
        }
        // Without the client's metadata, the server's interceptor refuses before the handler.
        try await withInProcess(router: echoRouter(name: "a"), serverInterceptors: server) { client, _ in
            await assertRPCError(.permissionDenied) { try await client.call(.echo, Echo(text: "x")) }
        }
    }

    /// Retries live in the client alone: a refusal before the handler ran is retried, a
    /// non-idempotent call that may have run is not, and a per-call option overrides the method.
    func testRetriesFollowIdempotencyPerCall() async throws {
        let attempts = SharedCounter()
        var router = RPCRouter()
        router.register(.echoOnce) { request, _ in
            attempts.increment()
            if request.text == "refused", attempts.value == 1 { throw RPCError(.unavailable, "not ready", wasProcessed: false) }
            if request.text == "lost" { throw RPCError(.unavailable, "went away mid-call") }
            return request
        }
        try await withInProcess(router: router) { client, _ in
            _ = try await client.call(.echoOnce, Echo(text: "refused"))
            XCTAssertEqual(attempts.value, 2, "a call never processed is retried")

            await assertRPCError(.unavailable) { try await client.call(.echoOnce, Echo(text: "lost")) }
            XCTAssertEqual(attempts.value, 3, "a non-idempotent call that may have run is not retried")

            await assertRPCError(.unavailable) {
                try await client.call(.echoOnce, Echo(text: "lost"), options: RPCCallOptions(isIdempotent: true))
            }
            XCTAssertEqual(attempts.value, 6, "idempotent for this call: retried up to the attempt limit")
        }
    }

    /// A call made on behalf of a call being served inherits its request id and never outlives
    /// its deadline.
    func testNestedCallsInheritDeadlineAndRequestID() async throws {
        let inner = InProcessTransport(logger: quietLogger)
        let seen = NIOLockedValueBox<(requestID: String?, remaining: TimeAmount?)>((nil, nil))
        var innerRouter = RPCRouter()
        innerRouter.register(.echo) { request, context in
            seen.withLockedValue { $0 = (context.metadata.requestID, context.timeRemaining) }
            return request
        }
        let innerServer = RPCServer(transport: inner.server, router: innerRouter, serviceName: "inner")
        let innerClient = RPCClient(transport: inner.client, logger: quietLogger)
        var outerRouter = RPCRouter()
        outerRouter.register(.echo) { request, context in
            try await innerClient.call(.echo, request, options: RPCCallOptions(timeout: .seconds(60), onBehalfOf: context))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [innerServer, innerClient], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        try await withInProcess(router: outerRouter) { client, _ in
            var metadata = RPCMetadata()
            metadata.requestID = "req-42"
            _ = try await client.call(.echo, Echo(text: "x"), options: RPCCallOptions(timeout: .seconds(2), metadata: metadata))
        }
        let (requestID, remaining) = seen.withLockedValue { $0 }
        XCTAssertEqual(requestID, "req-42")
        XCTAssertLessThanOrEqual(remaining ?? .hours(1), .seconds(2))
    }

    func testCallsBeforeListeningAndAfterShutdownAreRefusedUnprocessed() async throws {
        let transport = InProcessTransport(logger: quietLogger)
        let request = RPCClientRequest(
            method: "test.echo", metadata: RPCMetadata(), isIdempotent: false, deadline: .now + .seconds(1), body: ByteBuffer(),
            encoding: .binary)
        do {
            _ = try await transport.client.send(request)
            XCTFail("a call reached a server that never listened")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertFalse(error.wasProcessed)
        }

        let server = RPCServer(transport: transport.server, router: echoRouter(name: "a"), serviceName: "test")
        let client = RPCClient(transport: transport.client, logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger))
        let running = Task { try await group.run() }
        try await eventually { client.readyConnectionCount == 1 }
        // A graceful shutdown lets the call in flight finish.
        let slow = Task { try await client.call(.echo, Echo(text: "slow", sleepMilliseconds: 200)) }
        try await Task.sleep(for: .milliseconds(50))
        await group.triggerGracefulShutdown()
        let reply = try await slow.value
        XCTAssertEqual(reply.text, "a:slow")
        try await running.value
        await assertRPCError(.unavailable) { try await client.call(.echo, Echo(text: "late")) }
    }

    /// The interceptors run the same over sockets.
    func testServerInterceptorsRunOverSockets() async throws {
        let router = echoRouter(name: "a")
        let server = RPCServer(
            configuration: RPCServerConfiguration(bindTarget: .tcp(host: "127.0.0.1", port: 0)), router: router, serviceName: "test",
            interceptors: [RequireMetadata(key: "tenant")], logger: quietLogger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: quietLogger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let port = try await server.localAddress().port ?? 0
        try await withClient("127.0.0.1:\(port)") { client in
            await assertRPCError(.permissionDenied) { try await client.call(.echo, Echo(text: "x")) }
            var metadata = RPCMetadata()
            metadata["tenant"] = "t1"
            let reply = try await client.call(.echo, Echo(text: "x"), options: RPCCallOptions(metadata: metadata))
            XCTAssertEqual(reply.text, "a:x")
        }
    }
}

private struct RecordingServerInterceptor: RPCServerInterceptor {
    let name: String
    let order: NIOLockedValueBox<[String]>

    func intercept(
        _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse {
        order.withLockedValue { $0.append(name) }
        return try await next(context)
    }
}

private struct RequireMetadata: RPCServerInterceptor {
    let key: String

    func intercept(
        _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse {
        guard context.metadata[key] != nil else { throw RPCError(.permissionDenied, "\(key) is required") }
        return try await next(context)
    }
}

private struct RecordingClientInterceptor: RPCClientInterceptor {
    let name: String
    let order: NIOLockedValueBox<[String]>

    func intercept(
        _ request: RPCClientRequest, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        order.withLockedValue { $0.append(name) }
        return try await next(request)
    }
}

private struct AddMetadata: RPCClientInterceptor {
    let key: String
    let value: String

    func intercept(
        _ request: RPCClientRequest, next: (RPCClientRequest) async throws -> RPCClientResponse
    ) async throws -> RPCClientResponse {
        var request = request
        request.metadata[key] = value
        return try await next(request)
    }
}
