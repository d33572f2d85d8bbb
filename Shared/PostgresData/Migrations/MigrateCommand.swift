import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// `<service> migrate`: applies pending migrations and exits — for deploy pipelines that
/// migrate before rolling out, and for operators. A service running a ``DatabaseMonitor``
/// also migrates at start.
///
/// It reads the common settings, the database settings (see
/// ``DatabaseSettings/read(from:environment:defaults:)``) and the migration lock settings (see
/// ``MigrationSettings/read(from:defaults:)``), so it takes the same flags and environment as
/// the service itself.
public enum MigrateCommand {
    /// The subcommand's name: a service's `main` hands its arguments here when the first is this.
    public static let name = "migrate"

    /// Migrates and exits: 0 once the schema is up to date, 1 if migrating failed, 2 for bad
    /// configuration.
    ///
    /// - Parameters:
    ///   - service: the executable's name, for help, logs and errors.
    ///   - defaultAdminPort: the service's, so both read the same common settings.
    ///   - databaseDefaults: the service's database defaults.
    ///   - arguments: the arguments after `migrate`.
    ///   - migrations: the service's runner; thrown errors exit 1.
    public static func main(
        service: String, defaultAdminPort: Int, databaseDefaults: DatabaseSettings,
        arguments: [String], environment: [String: String],
        migrations: () throws -> MigrationRunner
    ) async -> Never {
        var reader = ConfigReader(arguments: arguments, environment: environment)
        let common = CommonSettings.read(from: &reader, defaultAdminPort: defaultAdminPort)
        let database = DatabaseSettings.read(from: &reader, environment: environment, defaults: databaseDefaults)
        let migrationSettings = MigrationSettings.read(from: &reader)
        if reader.isHelpRequested {
            print(reader.helpText(name: "\(service) \(name)", summary: "applies pending schema migrations and exits."), terminator: "")
            exit(0)
        }
        do {
            try reader.finish()
        } catch {
            FileHandle.standardError.write(Data("\(service) \(name): \(error) (see --help)\n".utf8))
            exit(2)
        }

        ServiceLogging.bootstrap(service: service, level: common.logLevel, format: common.logFormat)
        let logger = Logger(label: service)
        logger.info("migrating", metadata: ["target": "\(database)"])
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let access = Database(client: client, statementTimeout: .zero, leaseTimeout: database.connectTimeout)
        do {
            var runner = try migrations()
            runner.settings = migrationSettings
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
