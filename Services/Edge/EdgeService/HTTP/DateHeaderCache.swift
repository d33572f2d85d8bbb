#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `Date` header value, formatted at most once per second per event loop (nginx does the
/// same): formatting per response would cost more than the rest of a small static response.
///
/// Not thread-safe by design: each event loop owns one, so reading it never takes a lock.
final class DateHeaderCache {
    private var second = -1
    private var formatted = ""

    var current: String {
        let now = Int(time(nil))
        if now != second {
            second = now
            formatted = HTTPDate.format(now)
        }
        return formatted
    }
}
