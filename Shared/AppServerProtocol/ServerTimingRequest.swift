public import RPC

extension RPCMetadata {
    /// Set by the edge when the client will see `Server-Timing`: the app server then times its
    /// work (`app`, `db`) into the response's `Server-Timing` header. Absent, it measures nothing.
    public static let serverTimingKey = "server-timing"
}
