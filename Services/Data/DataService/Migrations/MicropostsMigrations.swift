import Foundation
import PostgresData

extension MigrationLock {
    /// The key every build of the data service has used ("micropos" in ASCII): a build must
    /// contend for the same lock as the builds it replaces during a rolling deploy.
    static let microposts = MigrationLock(key: 0x6D69_6372_6F70_6F73)
}

extension MigrationRunner {
    /// Microposts' schema as shipped in this build (`Migrations/SQL`).
    static func bundled() throws -> MigrationRunner {
        try MigrationRunner(migrations: Migration.load(from: .module, subdirectory: "SQL"), lock: .microposts)
    }
}
