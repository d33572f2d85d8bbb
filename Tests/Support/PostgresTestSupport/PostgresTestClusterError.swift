/// Why a throwaway PostgreSQL could not be provided.
public enum PostgresTestClusterError: Error, CustomStringConvertible {
    case binariesNotFound(searched: [String])
    case noPostgresUser
    case setupFailed(step: String, detail: String)

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return """
                PostgreSQL server binaries (initdb, pg_ctl) were not found; the database tests need them. \
                Install them (Debian/Ubuntu: `apt-get install -y postgresql`; macOS: `brew install postgresql`) \
                or set PG_BIN to the folder that holds them. Searched: \(searched.joined(separator: ", ")).
                """
        case .noPostgresUser:
            return """
                Running as root, but there is no `postgres` user to run the server as (initdb refuses root). \
                Install the `postgresql` package, which creates it, or run the tests as a normal user.
                """
        case .setupFailed(let step, let detail):
            return "Throwaway PostgreSQL: \(step) failed: \(detail)"
        }
    }
}
