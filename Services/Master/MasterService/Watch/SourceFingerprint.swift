/// What a scan of a service's sources found: every file with its modification time and size.
/// Two scans differ exactly when a file was added, removed, or written.
public struct SourceFingerprint: Sendable, Equatable {
    public struct Stamp: Sendable, Equatable {
        public var modifiedNanoseconds: Int64
        public var size: Int64

        public init(modifiedNanoseconds: Int64, size: Int64) {
            self.modifiedNanoseconds = modifiedNanoseconds
            self.size = size
        }
    }

    /// By path.
    public var files: [String: Stamp]

    public init(files: [String: Stamp] = [:]) {
        self.files = files
    }

    /// Paths added, removed or changed since `earlier`, sorted, for the log.
    public func changes(since earlier: SourceFingerprint) -> [String] {
        let paths = Set(files.keys).union(earlier.files.keys)
        return paths.filter { files[$0] != earlier.files[$0] }.sorted()
    }

    /// The files of both; used to combine the scans of a service's several source folders.
    public func merging(_ other: SourceFingerprint) -> SourceFingerprint {
        SourceFingerprint(files: files.merging(other.files) { $1 })
    }
}
