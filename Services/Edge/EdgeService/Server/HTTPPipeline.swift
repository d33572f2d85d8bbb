import NIOCore

/// HTTP/1.1 pipelining as a state machine without I/O: which request part goes to the
/// connection handler now and which waits, when the socket may be read, and when the
/// connection closes. ``HTTPPipeliningHandler`` carries out what it decides.
///
/// It does what NIO's `HTTPServerPipelineHandler` did (one request at a time, responses in
/// order, no reading while a response is pending, half-close and quiescing in order), plus
/// what a public server needs and that one lacks:
/// - at most `maximumQueuedRequests` held back: reading stops while a response is pending,
///   but one read can already bring tens of thousands of tiny requests. Past the limit the
///   rest are dropped, and once the queued ones are answered the connection lingers (see
///   ``ResponseEndAction/linger``) and closes;
/// - no new request while the client is not taking its responses (the channel is not
///   writable) or while a file response is still being sent, so unsent responses and open
///   files do not pile up;
/// - queued requests are handed out by ``next()`` in a loop, not from inside the previous
///   response's write: NIO's handler went one stack level deeper per synchronously answered
///   request, and 40 000 of them overflowed the stack.
///
/// `Message` is how a request part travels (`NIOAny` in the handler, anything in tests).
struct HTTPPipeline<Message> {
    enum PartKind: Equatable {
        case head, body, end
    }

    enum Event {
        case part(PartKind, Message)
        /// A parse error, answered (400, 431) in its turn like a request.
        case error(any Error)
        /// The client half-closed: delivered after every request before it.
        case inputClosed
    }

    enum InboundAction: Equatable {
        /// Hand it to the connection handler now.
        case deliver
        /// Queued, or dropped because the connection is closing.
        case hold
        /// Dropped as one too many waiting: the first time, count it. The connection closes
        /// once the queued requests are answered.
        case overflow
        /// The client closed its side while the connection lingers: close it.
        case close
    }

    enum ResponseEndAction: Equatable {
        /// Hand out whatever may now go (``next()``) and the pending read.
        case proceed
        /// A file is being sent: call ``responseWriteCompleted()`` once the write completes.
        case awaitWrite
        /// Close once this response is written.
        case close
        /// The last response after an overflow: once it is written, close the output, then
        /// read and discard until the client closes (or a short while passes). Closing with
        /// the dropped requests unread would send a reset, which can destroy the responses
        /// before the client reads them (RFC 9112 §9.6).
        case linger
    }

    /// Where the request and the response in hand are.
    private enum Exchange {
        case idle
        /// A head was delivered; neither the request nor its response has ended.
        case requestAndResponse
        /// The request ended; its response has not.
        case response
        /// The response ended before the request (an early refusal); the rest of the request
        /// still arrives.
        case request
    }

    private enum Lifecycle: Equatable {
        case open
        /// Too many pipelined: answer the queued requests, read and accept nothing more.
        case closingAfterQueued
        /// Quiescing: finish the request in hand, drop the queued ones.
        case closingAfterCurrent
        /// Output closed after an overflow: what the client still sends is read and dropped.
        case lingering
        case closed
    }

    let maximumQueuedRequests: Int
    private var exchange = Exchange.idle
    private var lifecycle = Lifecycle.open
    private var queue = CircularBuffer<Event>(initialCapacity: 0)
    /// Heads in `queue`: what the limit counts.
    private var queuedRequests = 0
    private var isWritable = true
    /// A file response's write has not completed; its descriptor is open.
    private var awaitingWrite = false
    private var responseHasFile = false
    /// A `read()` was held back; issue it once reading may proceed.
    private var readPending = false

    init(maximumQueuedRequests: Int) {
        self.maximumQueuedRequests = maximumQueuedRequests
    }

    /// Requests held back, waiting for the one in hand to be answered.
    var queuedRequestCount: Int { queuedRequests }

    // MARK: - Inbound

    mutating func received(_ kind: PartKind, _ message: Message) -> InboundAction {
        guard acceptsInput else { return .hold }
        guard kind == .head else {
            if !queue.isEmpty {
                queue.append(.part(kind, message))
                return .hold
            }
            // The request in hand: its parts pass whatever else is going on.
            if kind == .end { requestEnded() }
            return .deliver
        }
        if queue.isEmpty && mayStartRequest {
            exchange = .requestAndResponse
            return .deliver
        }
        guard lifecycle == .open else { return .hold }
        guard queuedRequests < maximumQueuedRequests else {
            lifecycle = .closingAfterQueued
            return .overflow
        }
        queue.append(.part(.head, message))
        queuedRequests += 1
        return .hold
    }

    /// A parse error from the decoder (others go straight through).
    mutating func receivedError(_ error: any Error) -> InboundAction {
        guard acceptsInput else { return .hold }
        if queue.isEmpty {
            switch exchange {
            case .requestAndResponse:
                return .deliver
            case .idle where mayStartRequest, .request:
                // Answered like a request: the response that follows is expected.
                exchange = .response
                return .deliver
            case .idle, .response:
                ()
            }
        }
        queue.append(.error(error))
        return .hold
    }

    mutating func receivedInputClosed() -> InboundAction {
        switch lifecycle {
        case .closed: return .hold
        case .lingering: return .close
        case .open, .closingAfterQueued, .closingAfterCurrent: ()
        }
        // Behind a file still being sent too: the handler closes on it when idle, and closing
        // would cut the file short.
        guard queue.isEmpty && !awaitingWrite else {
            queue.append(.inputClosed)
            return .hold
        }
        return .deliver
    }

    /// The next queued event that may be delivered now, taken off the queue; nil when none.
    mutating func next() -> Event? {
        guard let first = queue.first else { return nil }
        switch first {
        case .part(.head, _):
            guard mayStartRequest else { return nil }
            exchange = .requestAndResponse
            queuedRequests -= 1
        case .part(.body, _):
            ()
        case .part(.end, _):
            requestEnded()
        case .error:
            switch exchange {
            case .requestAndResponse: ()
            case .idle where mayStartRequest: exchange = .response
            case .idle, .response, .request: return nil
            }
        case .inputClosed:
            guard !awaitingWrite else { return nil }
        }
        return queue.removeFirst()
    }

    private mutating func requestEnded() {
        switch exchange {
        case .requestAndResponse: exchange = .response
        case .request: exchange = .idle
        case .idle, .response: ()
        }
    }

    private var acceptsInput: Bool {
        switch lifecycle {
        case .open: true
        case .closingAfterQueued, .lingering, .closed: false
        case .closingAfterCurrent: exchange == .requestAndResponse || exchange == .request
        }
    }

    private var mayStartRequest: Bool {
        exchange == .idle && isWritable && !awaitingWrite && (lifecycle == .open || lifecycle == .closingAfterQueued)
    }

    // MARK: - Outbound

    /// - Returns: Whether this response is the connection's last and must say
    ///   `Connection: close`.
    mutating func responseHeadWritten(isInformational: Bool) -> Bool {
        guard !isInformational else { return false }
        responseHasFile = false
        return isLastResponse
    }

    mutating func responseBodyWritten(isFile: Bool) {
        if isFile { responseHasFile = true }
    }

    mutating func responseEndWritten() -> ResponseEndAction {
        switch exchange {
        case .requestAndResponse: exchange = .request
        case .response: exchange = .idle
        case .idle, .request: ()
        }
        if lifecycle == .closingAfterQueued && queuedRequests == 0 {
            lifecycle = .lingering
            queue.removeAll()
            return .linger
        }
        if isLastResponse {
            close()
            return .close
        }
        if responseHasFile {
            responseHasFile = false
            awaitingWrite = true
            return .awaitWrite
        }
        return .proceed
    }

    /// The file response's write completed (or failed).
    ///
    /// - Returns: Whether to close now (the connection was quiesced meanwhile).
    mutating func responseWriteCompleted() -> Bool {
        awaitingWrite = false
        if lifecycle == .closingAfterCurrent && exchange == .idle {
            close()
            return true
        }
        return false
    }

    private var isLastResponse: Bool {
        switch lifecycle {
        case .open: false
        case .closingAfterQueued: queuedRequests == 0
        case .closingAfterCurrent, .lingering, .closed: true
        }
    }

    // MARK: - Reading and writability

    /// - Returns: Whether to pass the `read()` on now; otherwise it is held.
    mutating func readRequested() -> Bool {
        guard mayRead else {
            readPending = true
            return false
        }
        return true
    }

    /// Whether a held `read()` should be issued now (it is then no longer pending).
    mutating func takePendingRead() -> Bool {
        guard readPending && mayRead else { return false }
        readPending = false
        return true
    }

    private var mayRead: Bool {
        switch lifecycle {
        case .open, .closingAfterCurrent: ()
        case .lingering: return true
        case .closingAfterQueued, .closed: return false
        }
        switch exchange {
        case .requestAndResponse, .request:
            // The rest of the request in hand is needed to answer it.
            return queuedRequests == 0
        case .response:
            return false
        case .idle:
            return lifecycle == .open && queue.isEmpty && isWritable && !awaitingWrite
        }
    }

    mutating func writabilityChanged(isWritable: Bool) {
        self.isWritable = isWritable
    }

    // MARK: - Closing

    /// A graceful shutdown: the request in hand is finished (its response says
    /// `Connection: close`), queued ones are dropped.
    ///
    /// - Returns: Whether to close now, nothing being in hand.
    mutating func quiesce() -> Bool {
        guard lifecycle != .closed else { return false }
        if (exchange == .idle && !awaitingWrite) || lifecycle == .lingering {
            close()
            return true
        }
        lifecycle = .closingAfterCurrent
        // Parts of the request in hand may still be queued; everything from the next head on goes.
        if let firstHead = queue.firstIndex(where: { if case .part(.head, _) = $0 { true } else { false } }) {
            queue.removeSubrange(firstHead..<queue.endIndex)
        }
        queuedRequests = 0
        return false
    }

    /// The channel closed: nothing more is delivered.
    mutating func close() {
        lifecycle = .closed
        queue.removeAll()
        queuedRequests = 0
        readPending = false
    }
}
