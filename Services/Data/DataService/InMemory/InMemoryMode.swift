import Logging
import MicropostsInMemoryData
import RPC
import ServiceKit
import ServiceLifecycle

/// `data --in-memory`: the same RPC methods answered from memory, for developing a worker with
/// no PostgreSQL. No connection, no migrations: the process is ready once it listens.
enum InMemoryMode {
    static let settingName = "in-memory"
    static let warning =
        "serving from memory, for development only: nothing is persisted (a restart starts empty), "
        + "and each data instance has its own data, so run one"

    static func services(configuration: DataServiceConfiguration, environment: ServiceEnvironment) -> [any Service] {
        environment.logger.warning(
            "\(warning)",
            metadata: ["mode": "\(settingName)"])
        let data = InMemoryData(
            settings: InMemoryDataSettings(
                loginAttemptsPerAccount: configuration.loginThrottle.maximumAttempts,
                loginAccountWindow: configuration.loginThrottle.window,
                maximumResultWindow: configuration.costs.maximumResultWindow))
        return [environment.makeRPCServer(configuration: configuration.rpcServer, router: data.makeRouter())]
    }
}
