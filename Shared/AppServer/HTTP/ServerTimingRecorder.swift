import RPC
import Synchronization

/// Adds up, for one request whose caller asked for `Server-Timing`, the time spent waiting on
/// backing services (``record(database:)``), which may be called from concurrent child tasks.
public final class ServerTimingRecorder: Sendable {
    private let databaseNanoseconds = Atomic<Int64>(0)
    private let started = ContinuousClock.now

    init() {}

    /// Time one call to the database (or the service owning it) took.
    public func record(database duration: Duration) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        databaseNanoseconds.add(nanoseconds, ordering: .relaxed)
    }

    /// `app;dur=…, db;dur=…` in milliseconds: the app's whole time so far and its database share.
    var headerValue: String {
        let app = ContinuousClock.now - started
        let database = Duration.nanoseconds(databaseNanoseconds.load(ordering: .relaxed))
        return "app;dur=\(DurationText.decimalMilliseconds(app)), db;dur=\(DurationText.decimalMilliseconds(database))"
    }

}
