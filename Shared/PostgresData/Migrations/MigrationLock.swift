/// The PostgreSQL advisory lock a ``MigrationRunner`` holds while it migrates, so that
/// instances of one app starting together take turns: one applies the migrations, the others
/// wait and then find nothing left to do.
///
/// Each app (each history table) needs a key of its own: apps sharing a database but not a
/// key migrate side by side without waiting for each other. The key must stay the same
/// across builds, or an old and a new build could migrate at once.
public struct MigrationLock: Sendable, Hashable {
    /// The `bigint` key of `pg_advisory_lock`.
    public let key: Int64

    /// A lock with a key chosen by hand (e.g. the one an earlier build used).
    public init(key: Int64) {
        self.key = key
    }

    /// A lock whose key is derived from `name` (the app's or schema's name), the same in
    /// every build: the 64-bit FNV-1a hash of its UTF-8 bytes.
    public init(name: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        self.init(key: Int64(bitPattern: hash))
    }
}
