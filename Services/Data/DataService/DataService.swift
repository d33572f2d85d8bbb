import RPC
import ServiceKit

/// The data service: the only process that speaks SQL. So far it runs the shared plumbing
/// and an RPC server answering `rpc.health`; the database methods arrive with the schema.
public enum DataService {
    public static let defaultAdminPort = 9102
    public static let defaultRPCPort = 7102

    public struct Configuration: Sendable {
        public var rpcServer: RPCServerConfiguration
    }

    public static func configure(_ reader: inout ConfigReader) -> Configuration {
        Configuration(rpcServer: RPCSettings.server(from: &reader, defaultPort: defaultRPCPort))
    }

    public static func main() async -> Never {
        await ServiceMain.run(
            name: "data", summary: "Microposts data service: owns the PostgreSQL schema and answers typed RPC calls.",
            defaultAdminPort: defaultAdminPort, configure: configure
        ) { configuration, environment in
            [environment.makeRPCServer(configuration: configuration.rpcServer, router: RPCRouter())]
        }
    }
}
