import Foundation
import PostgresData
import RPC
import ServiceKit

/// The data service: the only process that speaks SQL. It owns the schema (migrated at start),
/// a PostgreSQL connection pool, and the typed RPC methods declared in MicropostsModels.
public enum DataService {
    public static let defaultAdminPort = 9102
    public static let defaultRPCPort = 7102

    static let summary =
        "Microposts data service: owns the PostgreSQL schema and answers typed RPC calls. "
        + "`data migrate [options]` applies pending migrations and exits; "
        + "`data --in-memory` keeps the data in memory instead, for developing a worker without PostgreSQL."

    public static func main() async -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let environment = ProcessInfo.processInfo.environment
        if arguments.first == MigrateCommand.name {
            await MigrateCommand.main(
                service: "data", defaultAdminPort: defaultAdminPort, databaseDefaults: .micropostsDefaults,
                arguments: Array(arguments.dropFirst()), environment: environment, migrations: MigrationRunner.bundled)
        }
        await ServiceMain.run(
            name: "data", summary: summary, defaultAdminPort: defaultAdminPort,
            arguments: arguments, environment: environment
        ) { reader in
            DataServiceConfiguration.read(from: &reader, environment: environment)
        } start: { configuration, serviceEnvironment in
            if configuration.inMemory { return InMemoryMode.services(configuration: configuration, environment: serviceEnvironment) }
            // Loading the bundled SQL fails only for a broken build; better now than later.
            var migrations = try MigrationRunner.bundled()
            migrations.settings = configuration.migration
            return DataServiceComponents(configuration: configuration, environment: serviceEnvironment, migrations: migrations).services
        }
    }
}
