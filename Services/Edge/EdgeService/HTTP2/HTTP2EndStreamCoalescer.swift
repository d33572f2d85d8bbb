import NIOCore
import NIOHTTP2

/// Ends a stream on its response's last DATA frame: NIO's HTTP/2-to-HTTP/1 codec sends a
/// response's `.end` as a DATA frame of its own, empty but for END_STREAM, so every response
/// was three frames (HEADERS, DATA, empty DATA) where nginx sends two. The last DATA frame
/// written is held until the next write or the flush; an empty END_STREAM frame right behind
/// it is folded into it. Nothing waits longer than the flush that would have sent it.
final class HTTP2EndStreamCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var held: (frame: HTTP2Frame.FramePayload.Data, promise: EventLoopPromise<Void>?)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .data(let frame) = unwrapOutboundIn(data) else {
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
