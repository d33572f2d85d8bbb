import RPC
import ServiceKit

/// The edge: the HTTP front server (nginx's role). So far it runs the shared plumbing and
/// keeps RPC connections to the workers; the HTTP listener arrives with its own issue.
public enum EdgeService {
    public static let defaultAdminPort = 9100

    public struct Configuration: Sendable {
        public var workerTarget: RPCTarget
        public var workerClient: RPCClientConfiguration
    }

    public static func configure(_ reader: inout ConfigReader) -> Configuration {
        let (target, client) = RPCSettings.client(for: "worker", from: &reader, defaultTarget: "dns://worker:\(7101)")
        return Configuration(workerTarget: target, workerClient: client)
    }

    public static func main() async -> Never {
        await ServiceMain.run(
            name: "edge", summary: "Microposts edge: the front HTTP server (static files, /api/ to the workers).",
            defaultAdminPort: defaultAdminPort, configure: configure
        ) { configuration, environment in
            [RPCClient(target: configuration.workerTarget, configuration: configuration.workerClient, logger: environment.logger)]
        }
    }
}
