public import RPC

// The RPC settings every service spells the same way: where its own server listens and,
// for each service it calls, where that service is and how patiently to call it.

extension Setting where Value == RPCTarget {
    /// `host:port[,host:port…]`, `dns://name:port` or `unix:/path[,unix:/path…]`.
    public static func rpcTarget(_ name: String, env: String, default defaultValue: String, help: String) -> Setting {
        Setting(
            name, env: env, default: (try? RPCTarget(parsing: defaultValue)) ?? .hosts([]), help: help,
            placeholder: "<target>", expected: "host:port[,host:port...], dns://name:port or unix:/path[,unix:/path...]",
            defaultDescription: defaultValue
        ) { try? RPCTarget(parsing: $0) }
    }
}

extension Setting where Value == RPCServerConfiguration.BindTarget {
    /// `host:port` or `unix:/path`.
    public static func rpcListen(_ name: String, env: String, default defaultValue: RPCServerConfiguration.BindTarget, help: String)
        -> Setting
    {
        Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "<host:port|unix:path>", expected: "host:port or unix:/path",
            defaultDescription: defaultValue.description
        ) { text in
            if text.hasPrefix("unix:") {
                let path = String(text.dropFirst("unix:".count))
                return path.isEmpty ? nil : .unix(path: path)
            }
            guard let hostPort = HostPort(parsing: text) else { return nil }
            return .tcp(host: hostPort.host, port: hostPort.port)
        }
    }
}

public enum RPCSettings {
    /// `--rpc-secret`: one per process, read once, shared by its RPC server and its clients.
    /// Unset yields nil (the services run unauthenticated and say so loudly at start); too
    /// short or an example value is a configuration error.
    public static func secret(from reader: inout ConfigReader) -> RPCSecret? {
        let setting = Setting<String>.secret(
            "rpc-secret", env: "RPC_SECRET",
            help: "Shared secret authenticating RPC peers (HMAC-SHA256 challenge in the handshake, both ways), at least "
                + "\(RPCSecret.minimumLength) bytes, the same on every edge, worker and data instance. "
                + "Unset: no authentication, with a warning at start.")
        let text = reader.read(setting)
        guard !text.isEmpty else { return nil }
        guard let secret = RPCSecret(text) else {
            reader.reject(setting, because: "must be at least \(RPCSecret.minimumLength) bytes; generate one with `openssl rand -hex 32`")
            return nil
        }
        return secret
    }

    /// The listening side: `--rpc-listen`, its limits and timeouts. `secret` comes from
    /// ``secret(from:)``.
    public static func server(from reader: inout ConfigReader, defaultPort: Int, secret: RPCSecret?) -> RPCServerConfiguration {
        let defaults = RPCServerConfiguration(bindTarget: .tcp(host: "0.0.0.0", port: defaultPort))
        return RPCServerConfiguration(
            bindTarget: reader.read(
                .rpcListen(
                    "rpc-listen", env: "RPC_LISTEN", default: defaults.bindTarget,
                    help: "Where the RPC server listens: host:port or unix:/path.")),
            maximumFrameSize: reader.read(
                .int(
                    "rpc-max-frame-size", env: "RPC_MAX_FRAME_SIZE", default: defaults.maximumFrameSize, range: 1024...(1 << 30),
                    help: "Largest RPC frame accepted, in bytes; a larger one closes the connection.")),
            maximumConcurrentCallsPerConnection: reader.read(
                .int(
                    "rpc-max-concurrent-calls", env: "RPC_MAX_CONCURRENT_CALLS",
                    default: defaults.maximumConcurrentCallsPerConnection, range: 1...1_000_000,
                    help: "Calls in flight per RPC connection; more are answered resourceExhausted.")),
            maximumConnections: reader.read(
                .int(
                    "rpc-max-connections", env: "RPC_MAX_CONNECTIONS", default: defaults.maximumConnections, range: 1...1_000_000,
                    help: "Open RPC connections; a connection beyond it is closed as soon as it is accepted.")),
            handshakeTimeout: readPositive(
                .duration(
                    "rpc-handshake-timeout", env: "RPC_HANDSHAKE_TIMEOUT", default: defaults.handshakeTimeout,
                    help: "Time a new RPC connection has to complete the handshake (hello and authentication) before it is closed."),
                from: &reader),
            idleTimeout: readPositive(
                .duration(
                    "rpc-idle-timeout", env: "RPC_IDLE_TIMEOUT", default: defaults.idleTimeout,
                    help: "An RPC connection without calls and without frames (clients ping every keepalive interval) is closed after it; "
                        + "keep it well above every client's --<peer>-keepalive."),
                from: &reader),
            frameTimeout: readPositive(
                .duration(
                    "rpc-frame-timeout", env: "RPC_FRAME_TIMEOUT", default: defaults.frameTimeout,
                    help: "Time a frame may take to arrive once its first byte has; a stalled frame closes the connection."),
                from: &reader),
            secret: secret)
    }

    private static func readPositive(_ setting: Setting<Duration>, from reader: inout ConfigReader) -> Duration {
        let value = reader.read(setting)
        guard value > .zero else {
            reader.reject(setting, because: "must be more than 0")
            return setting.defaultValue
        }
        return value
    }

    /// The calling side, for the service named `peer` (e.g. `data` gives `--data-target`,
    /// `DATA_TARGET`, `--data-timeout`, …). `secret` comes from ``secret(from:)``.
    public static func client(
        for peer: String, from reader: inout ConfigReader, defaultTarget: String, secret: RPCSecret?
    ) -> (target: RPCTarget, configuration: RPCClientConfiguration) {
        let env = peer.uppercased()
        var configuration = RPCClientConfiguration()
        configuration.secret = secret
        let target = reader.read(
            .rpcTarget(
                "\(peer)-target", env: "\(env)_TARGET", default: defaultTarget,
                help: "Where the \(peer) service is: host:port[,host:port...], dns://name:port (re-resolved) or unix:/path[,unix:/path...]."
            ))
        configuration.connectionsPerEndpoint = reader.read(
            .int(
                "\(peer)-connections", env: "\(env)_CONNECTIONS", default: configuration.connectionsPerEndpoint, range: 0...64,
                help: "RPC connections kept to each \(peer) instance, spread over the event loops; 0 means one per event loop."))
        configuration.defaultTimeout = reader.read(
            .duration(
                "\(peer)-timeout", env: "\(env)_TIMEOUT", default: configuration.defaultTimeout,
                help: "Deadline of a call to the \(peer) service."))
        configuration.connectTimeout = reader.read(
            .duration(
                "\(peer)-connect-timeout", env: "\(env)_CONNECT_TIMEOUT", default: configuration.connectTimeout,
                help: "How long connecting to a \(peer) instance may take."))
        configuration.resolveInterval = reader.read(
            .duration(
                "\(peer)-resolve-interval", env: "\(env)_RESOLVE_INTERVAL", default: configuration.resolveInterval,
                help: "How often a dns:// target for \(peer) is looked up again."))
        configuration.keepaliveInterval = reader.read(
            .duration(
                "\(peer)-keepalive", env: "\(env)_KEEPALIVE", default: configuration.keepaliveInterval,
                help: "Ping interval on idle \(peer) connections; an unanswered ping closes the connection."))
        return (target, configuration)
    }
}

extension ServiceEnvironment {
    /// The service's RPC server, wired to its plumbing: not ready until the socket is bound,
    /// health answers from the readiness state, logs through the service logger.
    public func makeRPCServer(
        configuration: RPCServerConfiguration, router: RPCRouter, interceptors: [any RPCServerInterceptor] = []
    ) -> RPCServer {
        let readiness = self.readiness
        readiness.set("rpc", ready: false)
        return RPCServer(
            configuration: configuration, router: router, serviceName: name,
            isServing: { readiness.isReady },
            onListening: { _ in readiness.set("rpc", ready: true) },
            interceptors: interceptors,
            tracer: tracer,
            headSampler: headSampler,
            logger: logger)
    }
}
