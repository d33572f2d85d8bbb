import Foundation

/// The folder holding a PostgreSQL server installation's `initdb` and `pg_ctl`.
struct PostgresBinaries: Sendable {
    let directory: URL

    var initdb: URL { directory.appending(path: "initdb") }
    var pgCtl: URL { directory.appending(path: "pg_ctl") }

    /// Looks in `PG_BIN`, then beside the `pg_ctl` on `PATH`, then in Debian's
    /// `/usr/lib/postgresql/<version>/bin`, newest version first.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresBinaries {
        var searched: [String] = []

        if let pgBin = environment["PG_BIN"], !pgBin.isEmpty {
            let candidate = PostgresBinaries(directory: URL(filePath: pgBin, directoryHint: .isDirectory))
            // An explicit PG_BIN that is wrong is a mistake to report, not to paper over.
            guard candidate.isComplete else {
                throw PostgresTestClusterError.binariesNotFound(searched: ["PG_BIN=\(pgBin)"])
            }
            return candidate
        }

        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let pgCtl = URL(filePath: String(folder)).appending(path: "pg_ctl")
            guard FileManager.default.isExecutableFile(atPath: pgCtl.path) else { continue }
            // pg_ctl on PATH is often a symlink (Debian wrappers, Homebrew); initdb and postgres
            // live beside the real file.
            let candidate = PostgresBinaries(directory: pgCtl.resolvingSymlinksInPath().deletingLastPathComponent())
            if candidate.isComplete { return candidate }
            searched.append(candidate.directory.path)
        }
        searched.append("PATH")

        let debianRoot = URL(filePath: "/usr/lib/postgresql", directoryHint: .isDirectory)
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: debianRoot.path)) ?? []
        for version in versions.sorted(by: { versionKey($0).lexicographicallyPrecedes(versionKey($1)) }).reversed() {
            let candidate = PostgresBinaries(directory: debianRoot.appending(path: version).appending(path: "bin"))
            if candidate.isComplete { return candidate }
        }
        searched.append("\(debianRoot.path)/*/bin")

        throw PostgresTestClusterError.binariesNotFound(searched: searched)
    }

    private var isComplete: Bool {
        FileManager.default.isExecutableFile(atPath: initdb.path)
            && FileManager.default.isExecutableFile(atPath: pgCtl.path)
    }

    /// "9.6" < "15" < "16": compare numerically, part by part.
    private static func versionKey(_ name: String) -> [Int] {
        name.split(separator: ".").map { Int($0) ?? -1 }
    }
}
