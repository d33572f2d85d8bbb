/// Why migrations could not be loaded or applied.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    /// The folder of SQL files is not in the bundle: a broken build.
    case missingFolder(String)
    /// A file in the folder is not named `NNNN_name.sql`.
    case malformedFileName(String)
    /// Two migrations share a version.
    case duplicateVersion(Int)
    /// The history table's name is not a plain lowercase SQL identifier.
    case invalidHistoryTable(String)
    /// A file holds SQL the statement splitter cannot handle (see ``Migration``).
    case unsupportedSQL(file: String, reason: String)
    /// Another instance held the migration lock for longer than the lock timeout.
    case lockNotAcquired(waited: Duration)
    /// A migration's statements could not get the table locks they need in short attempts
    /// (live queries kept them busy) within the lock timeout; nothing of it was recorded.
    case tablesBusy(version: Int, name: String, attempts: Int, waited: Duration)
    /// The database was migrated by a newer build with a change this build's code cannot run
    /// against (a `contract` migration, see ``Migration/Compatibility``): it needs a build
    /// whose schema is at least `requiredVersion`.
    case schemaTooNew(databaseVersion: Int, requiredVersion: Int, buildVersion: Int)
    /// A migration's statement failed; its transaction was rolled back.
    case failed(version: Int, name: String, detail: String)
    /// A check of the migration found rows it cannot be applied to; nothing was changed.
    case refused(version: Int, name: String, reason: String, violations: [String], total: Int)

    /// What happened, for the operator.
    public var description: String {
        switch self {
        case .missingFolder(let folder):
            return "the migration folder '\(folder)' is missing from the bundle"
        case .malformedFileName(let file):
            return "migration file '\(file)' is not named NNNN_name.sql (four digits from 0001, then lowercase letters, digits, _)"
        case .duplicateVersion(let version):
            return "more than one migration has version \(version)"
        case .invalidHistoryTable(let name):
            return "'\(name)' cannot name the migration history table (use lowercase letters, digits and _, not first a digit)"
        case .unsupportedSQL(let file, let reason):
            return "migration file '\(file)': \(reason)"
        case .lockNotAcquired(let waited):
            return "another instance has been migrating for over \(waited) (advisory lock held); not starting"
        case .schemaTooNew(let databaseVersion, let requiredVersion, let buildVersion):
            return "database schema version \(databaseVersion) needs a build of schema \(requiredVersion) or newer, "
                + "and this build's is \(buildVersion); upgrade this service"
        case .tablesBusy(let version, let name, let attempts, let waited):
            return "migration \(version) (\(name)) could not lock the tables it changes in \(attempts) attempts over \(waited); "
                + "long transactions hold them: retry when they are done"
        case .failed(let version, let name, let detail):
            return "migration \(version) (\(name)) failed: \(detail)"
        case .refused(let version, let name, let reason, let violations, let total):
            let more = total > violations.count ? "; and \(total - violations.count) more" : ""
            return "migration \(version) (\(name)) refused, nothing was changed: \(reason): \(violations.joined(separator: "; "))\(more)"
        }
    }
}
