import AppServerProtocol
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import RPC
import ServiceKit

/// One client connection. ``HTTPPipeliningHandler`` in front of it delivers one request at a
/// time (holding back pipelined ones until the response is written), so this handler only
/// tracks the request in hand: admit it, read its body, answer it from the static folder or a
/// worker, log it, then wait for the next one under the right timeout.
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    // Writes an ``EdgeResponse`` on HTTP/1.1 and HTTP/1 parts on an HTTP/2 stream: see ``writeAndFlush(_:context:promise:)``.

    private enum State {
        /// Waiting for a request head (keep-alive or header timeout armed).
        case awaitingHead
        /// Head admitted, reading the body (body timeout armed).
        case readingBody
        /// The request is complete; its response is being produced.
        case responding
        /// A response went out before the request ended; the rest is ignored and the
        /// connection closes.
        case closing
    }

    private let app: EdgeApplication
    private let dateCache: DateHeaderCache
    private let observer: RequestStartObserver
    private var state = State.awaitingHead
    private var request: RequestInProgress?
    /// Identifies the request an asynchronous result belongs to.
    private var serial = 0
    private var timer: ConnectionTimer?
    private var deadlines: RequestDeadlines
    private var proxyTask: Task<Void, Never>?
    private var peer = "-"
    /// Whether this connection's API responses carry `Server-Timing` (`--server-timing`).
    private var exposesServerTiming = false
    /// The client half-closed: answer what is in hand, then close.
    private var inputClosed = false
    /// Whether this connection's request counts in `http_requests_in_flight`.
    private var isInFlight = false
    private var requestIDs = SplitMix64()
    /// Whether a response to CONNECT goes without its body, as to HEAD (its framing headers
    /// kept). On HTTP/1.1 NIO's response encoder dropped it; ``HTTP1ResponseEncoder``, which
    /// replaced that encoder, leaves it to this handler.
    private var dropsBodyForConnect: Bool { !isHTTP2Stream }
    /// Who writes the responses, called directly (see ``writeAndFlush(_:context:promise:)``).
    enum Responder {
        /// An HTTP/1.x connection's pipelining handler, in front of this one.
        case http1(HTTPPipeliningHandler)
        /// An HTTP/2 stream's writer, in front of NIO's HTTP/2-to-HTTP/1 codec.
        case http2(HTTP2ResponseWriter)
    }

    private let responder: Responder
    /// The handler serves one HTTP/2 stream, not an HTTP/1.x connection.
    private var isHTTP2Stream: Bool {
        if case .http2 = responder { true } else { false }
    }

    init(app: EdgeApplication, dateCache: DateHeaderCache, observer: RequestStartObserver, responder: Responder) {
        self.app = app
        self.dateCache = dateCache
        self.observer = observer
        self.responder = responder
        self.deadlines = RequestDeadlines(
            headerTimeout: app.configuration.headerTimeout, bodyTimeout: app.configuration.bodyTimeout,
            requestTimeout: app.configuration.requestTimeout)
        observer.listener = self
    }

    // MARK: - Connection events

    func handlerAdded(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress?.ipAddress ?? "-"
        exposesServerTiming = app.configuration.serverTiming.exposes(toTrusted: app.trustedProxies.trusts(peer))
        let loopBound = context.loopBound
        let timer = ConnectionTimer(eventLoop: context.eventLoop) { [weak self] purpose in
            self?.timerExpired(purpose, context: loopBound.value)
        }
        // A new connection gets the header timeout from the start: sending nothing at all is
        // the cheapest slowloris. An HTTP/2 stream exists only once its whole head has arrived
        // (delivered right after this): nothing to time, and a scheduled task per request saved.
        if !isHTTP2Stream { timer.arm(.header, in: app.configuration.headerTimeout) }
        self.timer = timer
        // The first byte starts the request timeout.
        observer.isArmed = true
    }

    /// The timer's callback holds the context, which holds this handler: dropping the timer
    /// breaks that cycle, else every connection's handler and pipeline would outlive it.
    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        releaseBodyBudget()
        endInFlight()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        releaseBodyBudget()
        endInFlight()
        // The client is gone: stop waiting on the worker, which also cancels the worker's handler.
        proxyTask?.cancel()
        state = .closing
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let channelEvent as ChannelEvent where channelEvent == .inputClosed:
            inputClosed = true
            switch state {
            case .awaitingHead, .readingBody: context.close(promise: nil)
            case .responding, .closing: ()
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Called by the observer in front of the decoder when the first bytes of a request arrive.
    func requestBytesArrived() {
        guard case .awaitingHead = state else { return }
        let now = NIODeadline.now()
        deadlines.requestStarted(at: now)
        // A connection's first head is due a header timeout after the connection opened (sending
        // nothing at all is the cheapest slowloris); a later one, after its first byte.
        let headerDeadline =
            if timer?.armedPurpose == .header, let armed = timer?.armedDeadline { armed } else { now + deadlines.headerTimeout }
        let (purpose, deadline) = deadlines.whileReadingHead(headerDeadline: headerDeadline)
        timer?.arm(purpose, at: deadline)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            switch state {
            case .awaitingHead, .readingBody:
                // The decoder closes the connection right after this: answer now or never.
                let response: CannedResponse =
                    if case .headerOverflow = parserError {
                        .error(
                            .requestHeaderFieldsTooLarge, "headers_too_large",
                            "The request headers are larger than \(app.configuration.maximumHeaderSize) bytes.")
                    } else {
                        .error(.badRequest, "bad_request", "The request is not valid HTTP/1.1.")
                    }
                send(response, context: context, early: true)
            case .responding, .closing:
                context.close(promise: nil)
            }
            return
        }
        context.close(promise: nil)
    }

    private func timerExpired(_ purpose: ConnectionTimer.Purpose, context: ChannelHandlerContext) {
        switch (purpose, state) {
        case (.header, .awaitingHead), (.request, .awaitingHead), (.keepalive, .awaitingHead):
            // A response still going out (a large file to a slow client) means the connection
            // is not idle, and reading may be paused for it: the send timeout judges it instead.
            if let unsent = try? context.channel.syncOptions?.getOption(.bufferedWritableBytes), unsent > 0 {
                if purpose == .keepalive {
                    timer?.arm(.keepalive, in: app.configuration.keepaliveTimeout)
                } else {
                    timer?.arm(.header, in: app.configuration.headerTimeout)
                }
                context.triggerUserOutboundEvent(UnsentResponseEvent(), promise: nil)
                return
            }
            if purpose == .request { app.metrics.requestTimeouts.increment() }
            // nginx closes silently too: there is no request to answer.
            context.close(promise: nil)
        case (.body, .readingBody):
            send(.error(.requestTimeout, "request_timeout", "The request body was not received in time."), context: context, early: true)
        case (.request, .readingBody):
            app.metrics.requestTimeouts.increment()
            send(.error(.requestTimeout, "request_timeout", "The whole request was not received in time."), context: context, early: true)
        default:
            ()
        }
    }

    // MARK: - Request parts

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): receivedHead(head, context: context)
        case .body(let part): receivedBody(part, context: context)
        case .end: receivedEnd(context: context)
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .awaitingHead = state else { return }
        serial += 1
        observer.isArmed = false
        let forwardedFor = ForwardedFor(peer: peer, incoming: head.headers["x-forwarded-for"], trusted: app.trustedProxies)
        let route = EdgeRoute(method: head.method, target: head.uri, upstreams: app.upstreamRoutes)
        var rejection = app.admission.check(
            head, route: route,
            rateLimit: app.rateLimiter?.take(forwardedFor.clientAddress),
            maintenancePage: route.isUpstream ? app.maintenance?.page : nil)
        let announcedLength = RequestAdmission.announcedBodyLength(head) ?? 0
        let expectsBody = announcedLength > 0 || head.headers.contains(name: "transfer-encoding")
        if rejection == nil, route.isUpstream, announcedLength > 0, !app.bodyBudget.hasRoom(for: announcedLength) {
            // Before any of the body is sent (and before 100-continue): a body that cannot be
            // held is better refused at once than after the client has sent most of it.
            app.bodyBudget.countRefusal()
            rejection = RequestBodyBudget.refusal
        }
        request = RequestInProgress(
            head: head, requestID: RequestID.resolve(head.headers.first(name: RequestID.headerName), using: &requestIDs),
            forwardedFor: forwardedFor, route: route, rejection: rejection)
        state = .readingBody
        if !isInFlight {
            isInFlight = true
            app.metrics.requestsInFlight.increment()
        }

        guard expectsBody else {
            timer?.disarm()
            return
        }
        if let rejection {
            // Refused before the body: answer now and close rather than read what will be discarded.
            send(rejection, context: context, early: true)
            return
        }
        let now = NIODeadline.now()
        // Pipelined behind another, this request's bytes came before it could be watched.
        deadlines.requestStarted(at: now)
        let (purpose, deadline) = deadlines.whileReadingBody(now: now)
        timer?.arm(purpose, at: deadline)
        if head.version != .http1_0, head.headers.first(name: "expect") != nil {
            writeAndFlush(EdgeResponse(status: .continue, fields: [], body: .empty), context: context, promise: nil)
        }
    }

    private func receivedBody(_ part: ByteBuffer, context: ChannelHandlerContext) {
        guard case .readingBody = state, let request else { return }
        request.bodyBytes += part.readableBytes
        app.metrics.requestBodyBytes.increment(by: part.readableBytes)
        if request.bodyBytes > app.configuration.maximumBodySize {
            app.admission.bodyTooLargeRefusals.increment()
            send(RequestAdmission.bodyTooLarge(app.configuration.maximumBodySize), context: context, early: true)
            return
        }
        if request.route.isUpstream {
            // Counted as it arrives rather than as announced: a client that announces much
            // and sends little holds little, and cannot use up the budget for free.
            guard app.bodyBudget.reserve(part.readableBytes) else {
                app.bodyBudget.countRefusal()
                send(RequestBodyBudget.refusal, context: context, early: true)
                return
            }
            request.reservedBodyBytes += part.readableBytes
            var part = part
            request.body.writeBuffer(&part)
        }
        let (purpose, deadline) = deadlines.whileReadingBody(now: .now())
        timer?.arm(purpose, at: deadline)
    }

    private func receivedEnd(context: ChannelHandlerContext) {
        guard case .readingBody = state, let request else { return }
        timer?.disarm()
        deadlines.requestEnded()
        state = .responding
        if let rejection = request.rejection {
            send(rejection, context: context)
            return
        }
        switch request.route {
        case .upstream(let index):
            forward(request, to: app.proxies[index], context: context)
        case .staticFile(let path):
            serveStatic(path, request: request, context: context)
        case .notFound, .badPath, .methodNotAllowed:
            // Admission refuses these; kept exhaustive so a new route cannot go unanswered.
            send(.error(.notFound, "not_found", "Nothing is served at this path."), context: context)
        }
    }

    // MARK: - Static files

    private func serveStatic(_ path: StaticPath, request: RequestInProgress, context: ChannelHandlerContext) {
        let acceptsGzip = AcceptEncoding.allowsGzip(request.head.headers)
        let cache = app.staticCache
        let key = StaticFileCache.Key(path: path, acceptsGzip: acceptsGzip)
        if let entry = cache.entry(for: key) {
            sendContents(entry.bytes, of: entry.info, representation: entry.representation, request: request, context: context)
            return
        }
        let resolver = app.staticFiles
        let serial = self.serial
        app.fileThreadPool.runIfActive(eventLoop: context.eventLoop) {
            cache.isEnabled
                ? resolver.lookup(path, acceptsGzip: acceptsGzip, readingUpTo: cache.maximumFileSize)
                : resolver.lookup(path, acceptsGzip: acceptsGzip)
        }.assumeIsolated().whenComplete { result in
            guard self.serial == serial, case .responding = self.state else {
                if case .success(.file(let file)) = result { try? file.handle.close() }
                return
            }
            switch result {
            case .success(.contents(let info, let bytes)):
                let representation = self.representation(of: info)
                cache.store(info, bytes: bytes, representation: representation, for: key)
                self.sendContents(bytes, of: info, representation: representation, request: request, context: context)
            case .success(let lookup):
                self.sendStatic(lookup, request: request, context: context)
            case .failure:
                self.send(.error(.internalServerError, "internal", "The file could not be read."), context: context)
            }
        }
    }

    private func sendStatic(_ lookup: StaticLookup, request: RequestInProgress, context: ChannelHandlerContext) {
        switch lookup {
        case .file(let file):
            let plan = StaticResponsePlan(file: file.info, representation: representation(of: file.info), request: request.head.headers)
            guard let range = plan.range, !request.head.method.isHEAD else {
                try? file.handle.close()
                sendBodiless(plan, context: context)
                return
            }
            let region = FileRegion(fileHandle: file.handle, readerIndex: range.lowerBound, endIndex: range.upperBound)
            guard !app.configuration.isTLSEnabled else {
                sendRead(region, file.handle, plan: plan, context: context)
                return
            }
            send(
                status: plan.status, representation: plan.representation, headers: plan.headers, body: .file(region, file.handle),
                contentLength: range.count, context: context)
        case .contents(let info, let bytes):
            sendContents(bytes, of: info, representation: representation(of: info), request: request, context: context)
        case .listing(let html):
            send(
                CannedResponse(status: .ok, headers: [("Content-Type", "text/html; charset=utf-8")], body: ByteBuffer(string: html)),
                context: context)
        case .redirectToDirectory:
            let target = request.head.uri
            let query = target.firstIndex(of: "?").map { target[$0...] } ?? ""
            let path = target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
            send(
                .error(.movedPermanently, "moved", "This is a directory.", headers: [("Location", path + "/" + query)]),
                context: context)
        case .notFound:
            send(.error(.notFound, "not_found", "No such file."), context: context)
        case .forbidden:
            send(.error(.forbidden, "forbidden", "This path is not served."), context: context)
        }
    }

    /// A file held in memory (read whole, or from the cache).
    private func sendContents(
        _ bytes: ByteBuffer, of info: StaticFileInfo, representation: EncodedFields, request: RequestInProgress,
        context: ChannelHandlerContext
    ) {
        let plan = StaticResponsePlan(file: info, representation: representation, request: request.head.headers)
        guard let range = plan.range, !request.head.method.isHEAD,
            let slice = bytes.getSlice(at: bytes.readerIndex + range.lowerBound, length: range.count)
        else {
            sendBodiless(plan, context: context)
            return
        }
        send(
            status: plan.status, representation: plan.representation, headers: plan.headers, body: .bytes(slice),
            contentLength: range.count, context: context)
    }

    private func representation(of file: StaticFileInfo) -> EncodedFields {
        EncodedFields(StaticResponsePlan.representationFields(file: file, cacheControl: app.configuration.staticCacheControl))
    }

    /// A file region as bytes: TLS encrypts in this process, so sendfile cannot carry it. The
    /// whole range is read into memory, at most one file per request in hand.
    private func sendRead(_ region: FileRegion, _ handle: NIOFileHandle, plan: StaticResponsePlan, context: ChannelHandlerContext) {
        let serial = self.serial
        NonBlockingFileIO(threadPool: app.fileThreadPool).read(
            fileRegion: region, allocator: context.channel.allocator, eventLoop: context.eventLoop
        ).assumeIsolated().whenComplete { result in
            try? handle.close()
            guard self.serial == serial, case .responding = self.state else { return }
            switch result {
            case .success(let bytes):
                self.send(
                    status: plan.status, representation: plan.representation, headers: plan.headers, body: .bytes(bytes),
                    contentLength: bytes.readableBytes, context: context)
            case .failure:
                self.send(.error(.internalServerError, "internal", "The file could not be read."), context: context)
            }
        }
    }

    /// 304, 416 and HEAD: the plan's headers, no body, the length a GET would have had.
    private func sendBodiless(_ plan: StaticResponsePlan, context: ChannelHandlerContext) {
        send(
            status: plan.status, representation: plan.representation, headers: plan.headers, body: .empty,
            contentLength: plan.status == .notModified ? nil : plan.range?.count ?? 0, context: context)
    }

    // MARK: - API

    private func forward(_ request: RequestInProgress, to proxy: APIProxy, context: ChannelHandlerContext) {
        var permit: ConcurrencyLimiter.Permit?
        if let limiter = proxy.limiter {
            switch limiter.admit() {
            case .admitted(let granted): permit = granted
            case .mustWait: break
            case .refused:
                // Answered here, before any envelope or task: under overload this is most requests.
                sendProxied(APIProxy.overloaded, context: context)
                return
            }
        }
        let envelope = app.upstreamRequests.envelope(
            head: request.head, body: request.body, peer: peer,
            forwardedFor: request.forwardedFor, requestID: request.requestID)
        let requestID = request.requestID
        let serverTiming = exposesServerTiming
        // Seeded from the connection's generator: no system call per request for trace ids.
        let random = SplitMix64(seed: requestIDs.next())
        let promise = context.eventLoop.makePromise(of: APIProxy.Outcome.self)
        proxyTask = Task {
            promise.succeed(
                await proxy.forward(envelope, requestID: requestID, serverTiming: serverTiming, random: random, permit: permit))
        }
        let serial = self.serial
        promise.futureResult.assumeIsolated().whenSuccess { outcome in
            guard self.serial == serial, case .responding = self.state else { return }
            self.proxyTask = nil
            self.sendProxied(outcome, context: context)
        }
    }

    private func sendProxied(_ outcome: APIProxy.Outcome, context: ChannelHandlerContext) {
        request?.traceparent = outcome.traceparent
        switch outcome.result {
        case .success(let response)
        where (200..<600).contains(response.status)
            && response.headers.allSatisfy({ UpstreamHeaderCheck.isValid(name: $0.name, value: $0.value) }):
            let isHopByHop = HopByHopHeaders.matcher(for: HTTPHeaders(response.headers.map { ($0.name, $0.value) }))
            var headers: [(String, String)] = []
            headers.reserveCapacity(response.headers.count + 1)
            var appTiming: String?
            for field in response.headers where !isHopByHop(field.name) {
                let name = field.name.lowercased()
                if name == "date" || name == "x-request-id" { continue }
                // The app server's timings reach only clients that may see the edge's too.
                if name == "server-timing" {
                    appTiming = appTiming.map { "\($0), \(field.value)" } ?? field.value
                    continue
                }
                headers.append((field.name, field.value))
            }
            if exposesServerTiming, let request {
                headers.append(
                    (
                        ServerTiming.headerName,
                        ServerTiming.header(
                            total: ContinuousClock.now - request.start, upstream: outcome.upstreamTime, appEntries: appTiming)
                    ))
            }
            let status = HTTPResponseStatus(statusCode: response.status)
            let hasBody = status.mayHaveResponseBody && !dropsBody(for: request)
            send(
                status: status, headers: headers,
                body: hasBody ? .bytes(response.body) : .empty,
                contentLength: status.mayHaveResponseBody ? response.body.readableBytes : nil,
                upstreamTime: outcome.upstreamTime, context: context)
        case .success:
            let failure = UpstreamFailure(.badGateway, "bad_gateway", "The upstream service sent an invalid response.")
            send(.error(failure.status, failure.body), upstreamTime: outcome.upstreamTime, context: context)
        case .failure(let failure):
            let headers = failure.retryAfter.map { [("Retry-After", String($0))] } ?? []
            send(.error(failure.status, failure.body, headers: headers), upstreamTime: outcome.upstreamTime, context: context)
        }
    }

    // MARK: - Writing responses

    private func send(_ response: CannedResponse, upstreamTime: Duration? = nil, context: ChannelHandlerContext, early: Bool = false) {
        let isHead = dropsBody(for: request)
        send(
            status: response.status, headers: response.headers,
            body: isHead ? .empty : .bytes(response.body), contentLength: response.body.readableBytes,
            upstreamTime: upstreamTime, context: context, early: early)
    }

    /// Writes one complete response, logs it, and readies the connection for the next request
    /// (or closes it).
    ///
    /// - Parameters:
    ///   - contentLength: The `Content-Length` to announce (for HEAD, what GET would send);
    ///     nil for responses that have none (304).
    ///   - early: The request has not been read to its end, so the connection cannot be reused.
    private func send(
        status: HTTPResponseStatus, representation: EncodedFields? = nil, headers: [(String, String)], body: ResponseBody,
        contentLength: Int?, upstreamTime: Duration? = nil, context: ChannelHandlerContext, early: Bool = false
    ) {
        let request = self.request
        let keepAlive = !early && !inputClosed && (request?.head.isKeepAlive ?? false)
        let connection: EdgeResponse.ConnectionField =
            if !keepAlive { .close } else if request?.head.version == .http1_0 { .keepAlive } else { .unstated }

        if let request {
            app.metrics.record(
                kind: request.route.metricsKind, status: Int(status.code), duration: ContinuousClock.now - request.start,
                upstream: upstreamTime, bodyBytes: body.count)
            if app.accessLog.isEnabled {
                app.accessLog.record(
                    request.logEntry(
                        client: request.forwardedFor.clientAddress, status: status, bytes: body.count, upstreamTime: upstreamTime))
            }
        }

        // State changes before the write: it lets the pipelining handler deliver the next
        // queued request from inside it, which must find this handler ready.
        releaseBodyBudget()
        self.request = nil
        endInFlight()
        deadlines.requestEnded()
        if keepAlive {
            state = .awaitingHead
            observer.isArmed = true
            // An HTTP/2 stream ends with its response; the connection's idle timeout is NIO's.
            if !isHTTP2Stream { timer?.arm(.keepalive, in: app.configuration.keepaliveTimeout) }
        } else {
            state = .closing
            timer?.disarm()
        }

        // One write: the pipelining handler may deliver the next queued request from inside it.
        // Handed over whole, never as `HTTPHeaders`, whose `add` checks each name for ASCII and
        // for `Connection`, per field and per response. These names are the edge's own constants
        // and upstream names that passed ``UpstreamHeaderCheck``.
        let response = EdgeResponse(
            status: status, date: dateCache.current, representation: representation, fields: headers,
            contentLength: contentLength, requestID: request?.requestID, connection: connection, body: body)
        var needsCompletion = !keepAlive
        if case .file = body { needsCompletion = true }
        guard needsCompletion else {
            writeAndFlush(response, context: context, promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in body.release() }
        if !keepAlive {
            let loopBound = context.loopBound
            written.futureResult.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
        writeAndFlush(response, context: context, promise: written)
    }

    /// The response goes whole to the handler that writes it — ``HTTPPipeliningHandler``, which
    /// encodes it, or ``HTTP2ResponseWriter``, which frames it — by a call rather than a write
    /// through the pipeline, which boxed the response (too large for `NIOAny`'s inline storage)
    /// and cast it back.
    private func writeAndFlush(_ response: EdgeResponse, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        switch responder {
        case .http1(let pipelining): pipelining.writeAndFlush(response, promise: promise)
        case .http2(let writer): writer.writeAndFlush(response, promise: promise)
        }
    }

    /// Whether the response to `request` goes without its body: HEAD, and CONNECT on HTTP/1.1.
    private func dropsBody(for request: RequestInProgress?) -> Bool {
        guard let method = request?.head.method else { return false }
        switch method {
        case .HEAD: return true
        case .CONNECT: return dropsBodyForConnect
        default: return false
        }
    }

    /// The body in hand is no longer held once its response is written or the connection
    /// closes (a proxied body's last copy goes with the call, answered by then).
    private func releaseBodyBudget() {
        guard let request, request.reservedBodyBytes > 0 else { return }
        app.bodyBudget.release(request.reservedBodyBytes)
        request.reservedBodyBytes = 0
    }

    /// The request is answered, or its connection gone.
    private func endInFlight() {
        guard isInFlight else { return }
        isInFlight = false
        app.metrics.requestsInFlight.decrement()
    }
}

/// The request in hand and what has been decided about it. A class: it is handed from step
/// to step of every request, and copying its many fields each time showed in the profile.
final class RequestInProgress {
    let head: HTTPRequestHead
    let requestID: String
    let forwardedFor: ForwardedFor
    let route: EdgeRoute
    /// Decided at the head; answered once the (bodiless) request ends.
    let rejection: CannedResponse?
    let start = ContinuousClock.now
    var body = ByteBuffer()
    var bodyBytes = 0
    /// Taken from ``RequestBodyBudget``; given back by the connection handler.
    var reservedBodyBytes = 0
    /// The trace a forwarded request went on in, for its access line.
    var traceparent: String?

    init(head: HTTPRequestHead, requestID: String, forwardedFor: ForwardedFor, route: EdgeRoute, rejection: CannedResponse?) {
        self.head = head
        self.requestID = requestID
        self.forwardedFor = forwardedFor
        self.route = route
        self.rejection = rejection
    }

    func logEntry(client: String, status: HTTPResponseStatus, bytes: Int, upstreamTime: Duration?) -> AccessLogEntry {
        AccessLogEntry(
            client: client, method: head.method.rawValue, target: head.uri, version: "\(head.version)",
            status: Int(status.code), bytes: bytes, duration: ContinuousClock.now - start, upstreamTime: upstreamTime,
            requestID: requestID, userAgent: head.headers.first(name: "user-agent"), referer: head.headers.first(name: "referer"),
            traceparent: traceparent)
    }
}
