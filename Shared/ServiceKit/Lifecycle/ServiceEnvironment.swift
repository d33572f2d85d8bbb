public import Logging
public import RPC
public import Tracing

/// What a service's `start` closure gets from ``ServiceMain``.
///
/// Named to avoid clashing with swift-service-context's `ServiceContext`, which
/// ServiceLifecycle re-exports.
public struct ServiceEnvironment: Sendable {
    /// The service name, e.g. `data`.
    public let name: String
    /// The service's logger; it writes through the bootstrapped ``ServiceLogHandler``.
    public let logger: Logger
    /// Register conditions here before returning from `start`, then flip them as the
    /// service becomes able to serve, e.g. `readiness.set("rpc", ready: true)`.
    public let readiness: Readiness
    public let settings: CommonSettings
    /// Endpoints to add to the admin listener, e.g. `adminRoutes.get("instances") { … }`.
    public let adminRoutes: AdminRoutes
    /// The process's tracer when tracing is configured (``TracingSettings``): give it to RPC
    /// servers and clients and to anything that starts a trace. Nil when tracing is off.
    public let tracer: (any Tracer)?
    /// Decides which traces this service starts are recorded, before any span (``HeadSampler``):
    /// give it with the tracer to RPC clients and to anything that starts a trace (the RPC
    /// server from ``makeRPCServer(configuration:router:interceptors:)`` has it). Nil when tracing
    /// is off or the configured sampler is one the tracer applies itself.
    public let headSampler: HeadSampler?

    public init(
        name: String, logger: Logger, readiness: Readiness, settings: CommonSettings, adminRoutes: AdminRoutes = AdminRoutes(),
        tracer: (any Tracer)? = nil, headSampler: HeadSampler? = nil
    ) {
        self.tracer = tracer
        self.headSampler = headSampler
        self.name = name
        self.logger = logger
        self.readiness = readiness
        self.settings = settings
        self.adminRoutes = adminRoutes
    }
}
