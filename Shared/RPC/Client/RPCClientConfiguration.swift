/// Knobs of an `RPCClient`; every one has a default that suits a service talking to a
/// service on the same network.
public struct RPCClientConfiguration: Sendable {
    /// Connections kept to each server address, spread over the client's event loops; 0 (the
    /// default) means one per event loop. A call goes out on a connection of the event loop it
    /// runs on, so a request served on one loop is forwarded, answered and returned without
    /// changing threads. Measured on the full stack against one connection per address (README,
    /// the table of what moved the numbers): GET one +11 %, POST +10 %, pages +3 %.
    public var connectionsPerEndpoint = 0
    public var connectTimeout: Duration = .seconds(2)
    /// Deadline of calls that do not set one.
    public var defaultTimeout: Duration = .seconds(30)
    /// How often DNS names are looked up again.
    public var resolveInterval: Duration = .seconds(5)
    public var reconnectBackoffBase: Duration = .milliseconds(50)
    public var reconnectBackoffCap: Duration = .seconds(1)
    /// Consecutive connection failures after which an address is taken out of rotation; it is
    /// probed (connect, handshake, health call) before it is used again.
    public var ejectionThreshold = 3
    /// A new connection takes calls only once its server answers the built-in health call with
    /// `serving`. DNS lists every instance, ready or not — a data service still migrating, one
    /// draining — so the client does for itself what a readiness probe does for a Kubernetes
    /// Service. The connection stays open and its health is asked again with the reconnect
    /// backoff; meanwhile calls wait for it as for a connection being made. The `rpc` tool
    /// turns it off to reach an instance that is not ready.
    public var requiresServingHealth = true
    /// A ping is sent this often; a connection whose previous ping is still unanswered is closed.
    public var keepaliveInterval: Duration = .seconds(10)
    /// Attempts per call, the first included, when a retry is safe.
    public var maximumAttempts = 3
    public var retryBudgetRatio = 0.2
    public var maximumFrameSize = 4 * 1024 * 1024
    /// Proves this client to servers that require authentication and requires servers to
    /// prove themselves. nil: only servers without a secret are accepted.
    public var secret: RPCSecret?
    /// After a failed authentication — a configuration error, which retrying will not fix
    /// until someone changes a secret — the next attempt at that address waits at least this
    /// long, so a misconfigured client does not hammer the server.
    public var authenticationRetryDelay: Duration = .seconds(10)
    /// When a connection is retired and replaced; only tests change it.
    var callIDSpace = CallIDSpace()

    public init() {}
}

/// Per-call settings.
public struct RPCCallOptions: Sendable {
    /// How long the caller waits; `nil` uses the client's `defaultTimeout`.
    public var timeout: Duration?
    public var metadata: RPCMetadata
    /// Whether this call may run twice harmlessly, which decides if it is retried after it may
    /// have reached a handler; `nil` uses the method's ``RPCMethod/isIdempotent``. For a method
    /// whose safety depends on its arguments (an HTTP request forwarded whole, say).
    public var isIdempotent: Bool?
    /// The call being served when this one is made on its behalf: this call then never outlives
    /// it and carries its request id and trace context (see ``CallPropagationInterceptor``).
    public var onBehalfOf: RPCCallContext?

    public init(
        timeout: Duration? = nil, metadata: RPCMetadata = RPCMetadata(), isIdempotent: Bool? = nil, onBehalfOf: RPCCallContext? = nil
    ) {
        self.timeout = timeout
        self.metadata = metadata
        self.isIdempotent = isIdempotent
        self.onBehalfOf = onBehalfOf
    }
}
