#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The time of day, as token claims count it. Injected wherever tokens are issued or checked,
/// so that tests can stand at an expiry boundary instead of sleeping towards it.
struct WallClock: Sendable {
    let now: @Sendable () -> Date

    init(_ now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    static let system = WallClock { Date() }
}
