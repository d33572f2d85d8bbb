import RPC
import ServiceKit

/// The worker: serves the Microposts API to the edge over RPC. So far it runs the shared
/// plumbing and an RPC server answering `rpc.health`; the API arrives with its own routes.
public enum WorkerService {
    public static let defaultAdminPort = 9101
    public static let defaultRPCPort = 7101

    public struct Configuration: Sendable {
        public var rpcServer: RPCServerConfiguration
    }

    public static func configure(_ reader: inout ConfigReader) -> Configuration {
        Configuration(rpcServer: RPCSettings.server(from: &reader, defaultPort: defaultRPCPort))
    }

    public static func main() async -> Never {
        await ServiceMain.run(
            name: "worker", summary: "Microposts worker: the REST API behind the edge, reached over RPC.",
            defaultAdminPort: defaultAdminPort, configure: configure
        ) { configuration, environment in
            [environment.makeRPCServer(configuration: configuration.rpcServer, router: RPCRouter())]
        }
    }
}
