/// Why a client connection stopped taking new calls, which decides what it says about its
/// server's address.
enum ConnectionStopCause: Sendable, Equatable {
    /// Closed or broken: counts against the address, and calls no longer wait for it unless
    /// another connection to it is up.
    case failed
    /// The server sent GOAWAY: it is leaving (a drain, a restart). Not a failure, but once no
    /// connection to the address is up, calls do not wait for a reconnection either — what
    /// listens there next may never answer.
    case serverLeaving
    /// This client retired it (its call ids are running out); the replacement is on its way,
    /// and calls wait for it.
    case retired
}
