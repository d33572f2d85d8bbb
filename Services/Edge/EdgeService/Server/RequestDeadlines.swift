import NIOCore

/// Which deadline a connection's one timer holds while a request is read: the header
/// timeout bounds the head, the body timeout each pause in the body, and the request
/// timeout all of it from the first byte on. Pauses alone do not bound a request: a client
/// sending a byte every second never pauses long, and would hold its connection (and its
/// buffered body) for as long as the body takes at that rate. Times are passed in, so this
/// is tested without a clock.
struct RequestDeadlines {
    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    let requestTimeout: TimeAmount
    /// When the request being read must be complete; nil between requests.
    private(set) var requestDeadline: NIODeadline?

    init(headerTimeout: Duration, bodyTimeout: Duration, requestTimeout: Duration) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.bodyTimeout = TimeAmount(bodyTimeout)
        self.requestTimeout = TimeAmount(requestTimeout)
    }

    var isReadingRequest: Bool { requestDeadline != nil }

    /// Bytes of a request arrived at `now`. Only the first call of a request starts its clock.
    mutating func requestStarted(at now: NIODeadline) {
        if requestDeadline == nil { requestDeadline = now + requestTimeout }
    }

    /// The request has been read whole, or will not be.
    mutating func requestEnded() {
        requestDeadline = nil
    }

    /// While the head is read; `headerDeadline` is the header timeout's, which runs from the
    /// connection's start for its first request and from the first byte for later ones.
    func whileReadingHead(headerDeadline: NIODeadline) -> (ConnectionTimer.Purpose, NIODeadline) {
        earlier((.header, headerDeadline))
    }

    /// After a read of the body (or its head) at `now`: the pause allowed from here, or the
    /// request's deadline if that comes first.
    func whileReadingBody(now: NIODeadline) -> (ConnectionTimer.Purpose, NIODeadline) {
        earlier((.body, now + bodyTimeout))
    }

    private func earlier(_ other: (ConnectionTimer.Purpose, NIODeadline)) -> (ConnectionTimer.Purpose, NIODeadline) {
        guard let requestDeadline, requestDeadline < other.1 else { return other }
        return (.request, requestDeadline)
    }
}
