import NIOCore
import NIOHTTP2

/// Tells the connection management handler of each stream (its idle timer runs only while
/// none is open), and the TLS observer that requests have started (its setup timeout ends).
struct HTTP2StreamWatcher: NIOHTTP2StreamDelegate {
    let management: NIOHTTP2ServerConnectionManagementHandler.HTTP2StreamDelegate
    let observer: NIOLoopBound<TLSHandshakeObserver>

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
        management.streamCreated(id, channel: channel)
        observer.value.requestStarted()
    }

    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
        management.streamClosed(id, channel: channel)
    }
}
