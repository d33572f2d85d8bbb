import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `data migrate`: applies pending migrations and exits — for deploy pipelines that migrate
/// before rolling out, and for operators. The service itself also migrates at start.
enum MigrateCommand {
    static let name = "migrate"

    /// Exits 0 once the schema is up to date, 1 if migrating failed, 2 for bad configuration.
    static func main(arguments: [String], environment: [String: String]) async -> Never {
        var reader = ConfigReader(arguments: arguments, environment: environment)
        let common = CommonSettings.read(from: &reader, defaultAdminPort: DataService.defaultAdminPort)
        let database = DataServiceConfiguration.readDatabase(from: &reader, environment: environment)
        if reader.isHelpRequested {
            print(reader.helpText(name: "data migrate", summary: "applies pending schema migrations and exits."), terminator: "")
            exit(0)
        }
        do {
            try reader.finish()
        } catch {
            FileHandle.standardError.write(Data("data migrate: \(error) (see --help)\n".utf8))
            exit(2)
        }

        ServiceLogging.bootstrap(service: "data", level: common.logLevel, format: common.logFormat)
        let logger = Logger(label: "data")
        logger.info("migrating", metadata: ["target": "\(database)"])
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let access = Database(
            client: client, availability: DatabaseAvailability(), statementTimeout: .zero, leaseTimeout: database.connectTimeout)
        do {
            let runner = try MigrationRunner.bundled()
            let applied = try await withThrowingTaskGroup(of: [Migration]?.self) { group in
                group.addTask {
                    await client.run()
                    return nil
                }
                defer { group.cancelAll() }
                return try await access.migrate(with: runner, logger: logger)
            }
            logger.info("schema is up to date", metadata: ["version": "\(runner.latestVersion)", "applied": "\(applied.count)"])
            exit(0)
        } catch {
            logger.critical("migration failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
