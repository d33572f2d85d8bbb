public import Foundation

extension Migration {
    /// Every `.sql` file in `subdirectory` of `bundle`, e.g. `Bundle.module` of a target
    /// declaring `resources: [.copy("Migrations/SQL")]`, whose folder is `SQL` in the bundle.
    /// Other files are ignored; the order is the runner's to fix.
    /// - Throws: ``MigrationError/missingFolder(_:)`` when the bundle lacks the folder, and
    ///   whatever ``init(fileName:sql:)`` throws for a file.
    public static func load(from bundle: Bundle, subdirectory: String) throws -> [Migration] {
        guard let folder = bundle.url(forResource: subdirectory, withExtension: nil) else {
            throw MigrationError.missingFolder(subdirectory)
        }
        return try load(from: folder)
    }

    /// Every `.sql` file in `folder`.
    public static func load(from folder: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        return try files.filter { $0.pathExtension == "sql" }.map { file in
            try Migration(fileName: file.lastPathComponent, sql: String(contentsOf: file, encoding: .utf8))
        }
    }
}
