public import Foundation

/// A point in time as the supervisor needs it: monotonic for intervals (backoff, crash
/// windows), wall-clock for what operators read (started at, exited at).
public struct Moment: Sendable, Equatable {
    public var instant: ContinuousClock.Instant
    public var date: Date

    public init(instant: ContinuousClock.Instant, date: Date) {
        self.instant = instant
        self.date = date
    }

    public static func now() -> Moment {
        Moment(instant: .now, date: Date())
    }

    public static func + (moment: Moment, duration: Duration) -> Moment {
        let (seconds, attoseconds) = duration.components
        let interval = Double(seconds) + Double(attoseconds) / 1e18
        return Moment(instant: moment.instant + duration, date: moment.date.addingTimeInterval(interval))
    }
}
