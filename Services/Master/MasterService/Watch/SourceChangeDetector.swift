/// Decides from successive scans of one service's sources when to rebuild it (debounced):
/// once they changed and then stayed unchanged for `quiet`, so saving several files, or a
/// `git checkout`, causes one build rather than one per file. A value with no I/O: the
/// watcher feeds it scans and the time.
public struct SourceChangeDetector: Sendable {
    public let quiet: Duration
    private var last: SourceFingerprint?
    /// Set while a change waits for quiet: when the sources last changed.
    private var changedAt: ContinuousClock.Instant?
    /// The scan the running executable was built from, to report what a rebuild covers.
    private var built: SourceFingerprint?

    public init(quiet: Duration) {
        self.quiet = quiet
    }

    /// Whether a change is waiting for the sources to settle.
    public var isPending: Bool { changedAt != nil }

    /// Feeds a scan taken at `now`. Returns the changed paths when it is time to rebuild,
    /// nil otherwise. The first scan is the baseline: the instances running were built from it.
    public mutating func observe(_ scan: SourceFingerprint, at now: ContinuousClock.Instant) -> [String]? {
        defer { last = scan }
        guard let previous = last else {
            built = scan
            return nil
        }
        if scan != previous {
            changedAt = now
            return nil
        }
        guard let changedAt, now - changedAt >= quiet else { return nil }
        self.changedAt = nil
        let changes = scan.changes(since: built ?? previous)
        built = scan
        // Changed and changed back (an editor's backup dance): nothing to rebuild.
        return changes.isEmpty ? nil : changes
    }
}
