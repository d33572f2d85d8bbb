/// Brings calls to a server: accepts them, hands each to the dispatcher, and carries the answer
/// back. ``SocketServerTransport`` serves TCP and Unix sockets; ``InProcessTransport`` serves
/// callers in the same process.
public protocol RPCServerTransport: Sendable {
    /// Serves calls until a graceful shutdown (finish the calls in flight, refuse new ones as
    /// not processed, then return) or cancellation (stop at once).
    func listen(_ dispatcher: RPCCallDispatcher) async throws
}
