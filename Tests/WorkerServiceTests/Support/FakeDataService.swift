import AppServer
import Foundation
import MicropostsInMemoryData
import NIOConcurrencyHelpers
import RPC

/// The data service the worker is tested against: the in-memory implementation `data
/// --in-memory` serves, over a real `RPCServer`, so the worker meets the same descriptors,
/// encoding, metadata, deadlines and answers as in production. Its interceptor records every
/// call and can delay or fail any method.
final class FakeDataService: Sendable {
    struct Call: Sendable {
        let method: String
        let metadata: RPCMetadata
        let hasDeadline: Bool
    }

    private struct Hooks {
        var calls: [Call] = []
        var failures: [String: RPCError] = [:]
        var delays: [String: Duration] = [:]
    }

    private let hooks = NIOLockedValueBox(Hooks())
    /// The data itself, for fixtures: `store(_:)`, `revoke(tokenID:until:)`.
    let data: InMemoryData

    init(settings: InMemoryDataSettings = InMemoryDataSettings(), now: @escaping @Sendable () -> Date = { Date() }) {
        data = InMemoryData(settings: settings, now: now)
    }

    /// Put on the server serving ``makeRouter()``: records each call, then delays or fails it.
    var interceptor: some RPCServerInterceptor { Recorder(hooks: hooks) }

    private struct Recorder: RPCServerInterceptor {
        let hooks: NIOLockedValueBox<Hooks>

        func intercept(
            _ context: RPCCallContext, next: (RPCCallContext) async throws -> RPCEncodedResponse
        ) async throws -> RPCEncodedResponse {
            if let delay = hooks.withLockedValue({ $0.delays[context.method] }) { try await Task.sleep(for: delay) }
            try hooks.withLockedValue { hooks in
                hooks.calls.append(Call(method: context.method, metadata: context.metadata, hasDeadline: context.deadline != nil))
                if let failure = hooks.failures[context.method] { throw failure }
            }
            return try await next(context)
        }
    }

    /// Makes `method` answer only after `delay` (nil: at once again).
    func delay(_ method: String, by delay: Duration?) {
        hooks.withLockedValue { $0.delays[method] = delay }
    }

    /// Makes `method` fail with `error` (nil: answer again).
    func fail(_ method: String, with error: RPCError?) {
        hooks.withLockedValue { $0.failures[method] = error }
    }

    func calls(to method: String) -> Int {
        hooks.withLockedValue { $0.calls.filter { $0.method == method }.count }
    }

    var lastCall: Call? {
        hooks.withLockedValue { $0.calls.last }
    }

    func makeRouter() -> RPCRouter {
        data.makeRouter()
    }
}
