import RPC

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
    public static func rpcListen(_ name: String, env: String, default defaultValue: RPCServerConfiguration.BindTarget, help: String) -> Setting {
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
    /// The listening side: `--rpc-listen`, `--rpc-max-frame-size`, `--rpc-max-concurrent-calls`.
    public static func server(from reader: inout ConfigReader, defaultPort: Int) -> RPCServerConfiguration {
        let defaults = RPCServerConfiguration(bindTarget: .tcp(host: "0.0.0.0", port: defaultPort))
        return RPCServerConfiguration(
            bindTarget: reader.read(.rpcListen(
                "rpc-listen", env: "RPC_LISTEN", default: defaults.bindTarget,
                help: "Where the RPC server listens: host:port or unix:/path.")),
            maximumFrameSize: reader.read(.int(
                "rpc-max-frame-size", env: "RPC_MAX_FRAME_SIZE", default: defaults.maximumFrameSize, range: 1024...(1 << 30),
                help: "Largest RPC frame accepted, in bytes; a larger one closes the connection.")),
            maximumConcurrentCallsPerConnection: reader.read(.int(
                "rpc-max-concurrent-calls", env: "RPC_MAX_CONCURRENT_CALLS",
                default: defaults.maximumConcurrentCallsPerConnection, range: 1...1_000_000,
                help: "Calls in flight per RPC connection; more are answered resourceExhausted.")))
    }

    /// The calling side, for the service named `peer` (e.g. `data` gives `--data-target`,
    /// `DATA_TARGET`, `--data-timeout`, …).
    public static func client(
        for peer: String, from reader: inout ConfigReader, defaultTarget: String
    ) -> (target: RPCTarget, configuration: RPCClientConfiguration) {
        let env = peer.uppercased()
        var configuration = RPCClientConfiguration()
        let target = reader.read(.rpcTarget(
            "\(peer)-target", env: "\(env)_TARGET", default: defaultTarget,
            help: "Where the \(peer) service is: host:port[,host:port...], dns://name:port (re-resolved) or unix:/path[,unix:/path...]."))
        configuration.connectionsPerEndpoint = reader.read(.int(
            "\(peer)-connections", env: "\(env)_CONNECTIONS", default: configuration.connectionsPerEndpoint, range: 1...64,
            help: "RPC connections kept to each \(peer) instance."))
        configuration.defaultTimeout = reader.read(.duration(
            "\(peer)-timeout", env: "\(env)_TIMEOUT", default: configuration.defaultTimeout,
            help: "Deadline of a call to the \(peer) service."))
        configuration.connectTimeout = reader.read(.duration(
            "\(peer)-connect-timeout", env: "\(env)_CONNECT_TIMEOUT", default: configuration.connectTimeout,
            help: "How long connecting to a \(peer) instance may take."))
        configuration.resolveInterval = reader.read(.duration(
            "\(peer)-resolve-interval", env: "\(env)_RESOLVE_INTERVAL", default: configuration.resolveInterval,
            help: "How often a dns:// target for \(peer) is looked up again."))
        configuration.keepaliveInterval = reader.read(.duration(
            "\(peer)-keepalive", env: "\(env)_KEEPALIVE", default: configuration.keepaliveInterval,
            help: "Ping interval on idle \(peer) connections; an unanswered ping closes the connection."))
        return (target, configuration)
    }
}

extension ServiceEnvironment {
    /// The service's RPC server, wired to its plumbing: not ready until the socket is bound,
    /// health answers from the readiness state, logs through the service logger.
    public func makeRPCServer(configuration: RPCServerConfiguration, router: RPCRouter) -> RPCServer {
        let readiness = self.readiness
        readiness.set("rpc", ready: false)
        return RPCServer(
            configuration: configuration, router: router, serviceName: name,
            isServing: { readiness.isReady },
            onListening: { _ in readiness.set("rpc", ready: true) },
            logger: logger)
    }
}
