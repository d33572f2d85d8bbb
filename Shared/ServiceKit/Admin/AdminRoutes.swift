import NIOConcurrencyHelpers

/// Extra read-only endpoints a service adds to its admin listener (e.g. the process master's
/// `GET /instances`), so every admin surface of a process is on the one admin port.
/// Register them in the `start` closure of ``ServiceMain/run(name:summary:defaultAdminPort:arguments:environment:isolation:configure:start:)``;
/// the listener is built after it returns.
public final class AdminRoutes: Sendable {
    public struct Reply: Sendable {
        public var contentType: String
        public var body: [UInt8]

        public init(contentType: String, body: [UInt8]) {
            self.contentType = contentType
            self.body = body
        }
    }

    public typealias Handler = @Sendable () -> Reply

    private let routes = NIOLockedValueBox<[(path: String, handler: Handler)]>([])

    public init() {}

    /// Answers `GET /<path>` with 200 and what `handler` returns at that moment.
    public func get(_ path: String, _ handler: @escaping Handler) {
        routes.withLockedValue { $0.append((path, handler)) }
    }

    var all: [(path: String, handler: Handler)] { routes.withLockedValue { $0 } }
}
