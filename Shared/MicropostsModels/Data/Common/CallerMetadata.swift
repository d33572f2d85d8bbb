public import RPC

extension RPCMetadata {
    public static let callerKey = "caller"

    /// The user a call is made for, which the data service counts its expensive calls against
    /// (at most a few searches at once per user). Sent only with those calls.
    public var caller: String? {
        get { self[Self.callerKey] }
        set { self[Self.callerKey] = newValue }
    }
}
