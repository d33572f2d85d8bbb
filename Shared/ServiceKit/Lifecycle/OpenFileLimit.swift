#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`). Every connection is one, so
/// it bounds how many clients a server can hold: past it, `accept` fails with EMFILE and the
/// server can no longer even refuse new clients politely.
public enum OpenFileLimit {
    public struct Limits: Sendable, Equatable {
        public var soft: Int
        public var hard: Int
    }

    public static func current() -> Limits? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Limits(soft: clamped(limit.rlim_cur), hard: clamped(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one, as nginx's `worker_rlimit_nofile` would: the
    /// usual soft default (1 024) is far below what a server needs, and an unprivileged process
    /// may raise it up to the hard limit. Returns the limits in effect afterwards.
    @discardableResult
    public static func raiseSoftToHard() -> Limits? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            #if canImport(Darwin)
                // Darwin refuses a soft limit above OPEN_MAX even when the hard limit is unlimited.
                raised.rlim_cur = min(raised.rlim_cur, rlim_t(OPEN_MAX))
            #endif
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
        }
        return current()
    }

    private static func clamped(_ value: rlim_t) -> Int {
        value >= rlim_t(Int.max) ? Int.max : Int(value)
    }
}
