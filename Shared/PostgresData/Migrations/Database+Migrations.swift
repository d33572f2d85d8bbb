public import Logging
import PostgresNIO

extension Database {
    /// Applies pending migrations on a connection leased with the usual bounded wait, so an
    /// unreachable database fails the attempt within the connect timeout instead of letting
    /// it queue in the pool.
    ///
    /// Throws ``MigrationError`` when the schema itself is the problem (retrying cannot help),
    /// and an `RPCError` (`unavailable`, …) when the database could not be used.
    @discardableResult
    public func migrate(with runner: MigrationRunner, logger: Logger) async throws -> [Migration] {
        let budget = CallBudget(deadline: nil, statementTimeout: .zero)
        let outcome: Result<[Migration], MigrationError> = try await withConnection(budget, logger: logger, requiresAvailability: false) {
            connection in
            do {
                return .success(try await runner.run(on: connection, logger: logger))
            } catch let error as MigrationError {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
