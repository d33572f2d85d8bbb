import NIOCore
import Synchronization

/// Small static files held in memory for a short time, so a hot file (the 1 KiB CSS every
/// page loads) is answered without a thread-pool hop or a system call on the file system.
///
/// Entries expire after `ttl`; the next request then looks the file up again (off the event
/// loop), so an edited or removed file is seen within `ttl`. Only regular files up to
/// `maximumFileSize` are kept, up to `maximumTotalSize` bytes in all.
final class StaticFileCache: Sendable {
    struct Entry: Sendable {
        let info: StaticFileInfo
        let bytes: ByteBuffer
        let expires: NIODeadline
    }

    struct Key: Hashable, Sendable {
        let path: StaticPath
        let acceptsGzip: Bool
    }

    let ttl: Duration
    let maximumFileSize: Int
    let maximumTotalSize: Int
    private let state = Mutex<(entries: [Key: Entry], totalSize: Int)>(([:], 0))

    init(ttl: Duration, maximumFileSize: Int = 64 * 1024, maximumTotalSize: Int = 64 * 1024 * 1024) {
        self.ttl = ttl
        self.maximumFileSize = maximumFileSize
        self.maximumTotalSize = maximumTotalSize
    }

    var isEnabled: Bool { ttl > .zero }

    /// The entry while it is fresh.
    func entry(for key: Key, now: NIODeadline = .now()) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.expires > now else {
                state.entries[key] = nil
                state.totalSize -= entry.bytes.readableBytes
                return nil
            }
            return entry
        }
    }

    func store(_ info: StaticFileInfo, bytes: ByteBuffer, for key: Key, now: NIODeadline = .now()) {
        guard isEnabled, bytes.readableBytes <= maximumFileSize else { return }
        let entry = Entry(info: info, bytes: bytes, expires: now + TimeAmount(ttl))
        state.withLock { state in
            let replaced = state.entries[key]?.bytes.readableBytes ?? 0
            guard state.totalSize - replaced + bytes.readableBytes <= maximumTotalSize else { return }
            state.entries[key] = entry
            state.totalSize += bytes.readableBytes - replaced
        }
    }
}
