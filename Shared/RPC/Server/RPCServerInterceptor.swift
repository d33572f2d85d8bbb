package import NIOCore

/// Work around every call a server serves, whatever transport brought it: metrics, logging,
/// authorization, validation. Interceptors run in the order the server was given them, the
/// first outermost, in the task that runs the handler.
public protocol RPCServerInterceptor: Sendable {
    /// Runs `next` (the rest of the chain, then the handler) or answers without it by throwing.
    /// `context` may be changed on the way in, e.g. to add logger metadata.
    func intercept(
        _ context: RPCCallContext,
        next: (RPCCallContext) async throws -> RPCEncodedResponse
    ) async throws -> RPCEncodedResponse
}

/// A handler's answer, already encoded: interceptors pass it on or replace the call's outcome
/// with an error, but do not read it (the bytes are laid out for the transport).
public struct RPCEncodedResponse: Sendable {
    /// The encoded body (its readable bytes), after ``ResponseFraming/headroom`` bytes a socket
    /// transport fills with the frame's header, so a response is never copied to be framed.
    package var buffer: ByteBuffer

    package init(buffer: ByteBuffer) {
        self.buffer = buffer
    }
}
