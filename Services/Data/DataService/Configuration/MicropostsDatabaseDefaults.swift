import PostgresData

extension DatabaseSettings {
    /// Where Microposts' data lives unless flags or the environment say otherwise, and how its
    /// connections show in `pg_stat_activity`.
    static let micropostsDefaults = DatabaseSettings(database: "microposts", applicationName: "microposts-data")
}
