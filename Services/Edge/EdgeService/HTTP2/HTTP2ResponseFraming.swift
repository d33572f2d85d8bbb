import NIOCore
import NIOHPACK
import NIOHTTP2

/// Frames a stream's response as nginx does, behind NIO's HTTP/2-to-HTTP/1 codec:
///
/// - Header fields as literals without indexing (`never indexed` kept). The codec marks every
///   field indexable, so HPACK searched the connection's dynamic table for each field of each
///   response by string comparison and inserted it, a response's changing fields (date, request
///   id, length) evicting the rest: 7 % of the edge's samples under h2load. Unindexed, the
///   table stays empty and a field costs a static-table lookup and its literal.
/// - END_STREAM on the last DATA frame. The codec sends a response's `.end` as a DATA frame of
///   its own, empty but for END_STREAM: three frames per response where nginx sends two. The
///   last DATA frame written is held until the next write, the flush or the close; an empty
///   END_STREAM frame right behind it is folded into it. Nothing waits longer than the flush
///   that would have sent it.
final class HTTP2ResponseFraming: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var held: (frame: HTTP2Frame.FramePayload.Data, promise: EventLoopPromise<Void>?)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame: HTTP2Frame.FramePayload.Data
        switch unwrapOutboundIn(data) {
        case .data(let data):
            frame = data
        case .headers(var headers):
            sendHeld(context: context)
            headers.headers = Self.unindexed(headers.headers)
            context.write(wrapOutboundOut(.headers(headers)), promise: promise)
            return
        default:
            sendHeld(context: context)
            context.write(data, promise: promise)
            return
        }
        if let (previous, previousPromise) = held, Self.isBareEnd(frame) {
            held = nil
            var ending = previous
            ending.endStream = true
            context.write(wrapOutboundOut(.data(ending)), promise: Self.combine(previousPromise, promise, on: context.eventLoop))
            return
        }
        sendHeld(context: context)
        if frame.endStream {
            context.write(data, promise: promise)
        } else {
            held = (frame, promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        sendHeld(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        sendHeld(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        sendHeld(context: context)
    }

    private func sendHeld(context: ChannelHandlerContext) {
        guard let (frame, promise) = held else { return }
        held = nil
        context.write(wrapOutboundOut(.data(frame)), promise: promise)
    }

    private static func unindexed(_ headers: HPACKHeaders) -> HPACKHeaders {
        var fields = HPACKHeaders()
        fields.reserveCapacity(headers.count)
        for (name, value, indexing) in headers {
            fields.add(name: name, value: value, indexing: indexing == .neverIndexed ? .neverIndexed : .nonIndexable)
        }
        return fields
    }

    /// An empty DATA frame that only ends the stream, as the codec writes for `.end`.
    private static func isBareEnd(_ frame: HTTP2Frame.FramePayload.Data) -> Bool {
        guard frame.endStream, frame.paddingBytes == nil else { return false }
        return frame.data.readableBytes == 0
    }

    private static func combine(
        _ first: EventLoopPromise<Void>?, _ second: EventLoopPromise<Void>?, on eventLoop: any EventLoop
    ) -> EventLoopPromise<Void>? {
        guard let first else { return second }
        guard let second else { return first }
        let both = eventLoop.makePromise(of: Void.self)
        both.futureResult.cascade(to: first)
        both.futureResult.cascade(to: second)
        return both
    }
}
