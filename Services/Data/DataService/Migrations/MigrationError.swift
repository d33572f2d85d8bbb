/// Why migrations could not be loaded or applied.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    case missingResources
    case malformedFileName(String)
    case duplicateVersion(Int)
    case unsupportedSQL(file: String, reason: String)
    case lockNotAcquired(waited: Duration)
    case schemaTooNew(databaseVersion: Int, buildVersion: Int)
    case failed(version: Int, name: String, detail: String)
    /// A check of the migration found rows it cannot be applied to; nothing was changed.
    case refused(version: Int, name: String, reason: String, violations: [String], total: Int)

    public var description: String {
        switch self {
        case .missingResources:
            return "the migration SQL files are missing from the DataService bundle"
        case .malformedFileName(let file):
            return "migration file '\(file)' is not named NNNN_name.sql (four digits from 0001, then lowercase letters, digits, _)"
        case .duplicateVersion(let version):
            return "more than one migration has version \(version)"
        case .unsupportedSQL(let file, let reason):
            return "migration file '\(file)': \(reason)"
        case .lockNotAcquired(let waited):
            return "another data instance has been migrating for over \(waited) (advisory lock held); not starting"
        case .schemaTooNew(let databaseVersion, let buildVersion):
            return "database schema version \(databaseVersion) is newer than this build (\(buildVersion)); upgrade the data service"
        case .failed(let version, let name, let detail):
            return "migration \(version) (\(name)) failed and was rolled back: \(detail)"
        case .refused(let version, let name, let reason, let violations, let total):
            let more = total > violations.count ? "; and \(total - violations.count) more" : ""
            return "migration \(version) (\(name)) refused, nothing was changed: \(reason): \(violations.joined(separator: "; "))\(more)"
        }
    }
}
