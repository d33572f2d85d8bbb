import NIOCore

/// One ``DateHeaderCache`` per event loop, looked up when a connection is set up on that loop.
final class DateHeaderCaches: Sendable {
    private let caches: [ObjectIdentifier: NIOLoopBoundBox<DateHeaderCache>]

    init(group: any EventLoopGroup) {
        var caches: [ObjectIdentifier: NIOLoopBoundBox<DateHeaderCache>] = [:]
        for loop in group.makeIterator() {
            caches[ObjectIdentifier(loop)] = NIOLoopBoundBox.makeBoxSendingValue(DateHeaderCache(), eventLoop: loop)
        }
        self.caches = caches
    }

    /// The loop's cache; a fresh one for a loop outside the group (never the case in practice).
    func cache(for loop: any EventLoop) -> DateHeaderCache {
        caches[ObjectIdentifier(loop)]?.value ?? DateHeaderCache()
    }
}
