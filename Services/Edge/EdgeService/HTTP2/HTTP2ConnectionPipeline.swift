import NIOCore
import NIOHTTP2

/// An HTTP/2 connection (ALPN chose `h2`): each stream is one request, translated to HTTP/1
/// parts and answered by its own ``HTTPConnectionHandler``, so routing, static files, `/api/`,
/// limits, access log and metrics are the HTTP/1.1 path's. HTTPPipeliningHandler has no place
/// here: streams are HTTP/2's pipelining, bounded by `--http2-max-concurrent-streams`.
enum HTTP2ConnectionPipeline {
    static func configure(_ channel: any Channel, app: EdgeApplication, dateCaches: DateHeaderCaches, observer: TLSHandshakeObserver) throws
    {
        let configuration = app.configuration
        // Closes (GOAWAY first) a connection idle for the keep-alive timeout once its streams
        // are done, and on quiescing lets open streams finish before closing: a drain.
        let management = NIOHTTP2ServerConnectionManagementHandler(
            eventLoop: channel.eventLoop,
            configuration: .init(
                maxIdleTime: TimeAmount(configuration.keepaliveTimeout), maxAge: nil, maxGraceTime: nil, keepalive: nil))
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: configuration.http2MaximumConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: configuration.maximumHeaderSize),
        ]
        let watcher = HTTP2StreamWatcher(
            management: management.http2StreamDelegate, observer: NIOLoopBound(observer, eventLoop: channel.eventLoop))
        let pipeline = channel.pipeline.syncOperations
        _ = try pipeline.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: .init(), streamDelegate: watcher
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                let streamPipeline = stream.pipeline.syncOperations
                let writer = HTTP2ResponseWriter()
                try streamPipeline.addHandler(writer)
                try streamPipeline.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                // No observer and no header timeout: a stream exists only once its head has
                // arrived whole (the connection's idle timeout covers a client that sends none).
                let handler = HTTPConnectionHandler(
                    app: app, dateCache: dateCaches.cache(for: stream.eventLoop), observer: RequestStartObserver(),
                    responder: .http2(writer))
                try streamPipeline.addHandler(handler)
            }
        }
        try pipeline.addHandler(management)
        try pipeline.addHandler(HTTP2ConnectionErrorHandler())
    }
}
