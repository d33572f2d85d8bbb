import NIOConcurrencyHelpers
import NIOCore

/// Small static files held in memory for a short time, so a hot file (the 1 KiB CSS every
/// page loads) is answered without a thread-pool hop or a system call on the file system.
///
/// Entries expire after `ttl`; the next request then looks the file up again (off the event
/// loop), so an edited or removed file is seen within `ttl`. Only regular files up to
/// `maximumFileSize` are kept, up to `maximumTotalSize` bytes in all. Expired entries are swept
/// out when a store finds the last sweep a `ttl` ago, or finds the cache full: a file asked
/// for once would otherwise stay forever, and enough of them would fill the cache with stale
/// bytes and keep every fresh file out.
final class StaticFileCache: Sendable {
    struct Entry: Sendable {
        let info: StaticFileInfo
        let bytes: ByteBuffer
        /// The file's representation fields, encoded once for all its responses.
        let representation: EncodedFields
        let expires: NIODeadline
    }

    struct Key: Hashable, Sendable {
        let path: StaticPath
        let acceptsGzip: Bool
    }

    let ttl: Duration
    let maximumFileSize: Int
    let maximumTotalSize: Int
    private struct State {
        var entries: [Key: Entry] = [:]
        var totalSize = 0
        var nextSweep = NIODeadline.uptimeNanoseconds(0)

        mutating func remove(_ key: Key) {
            if let removed = entries.removeValue(forKey: key) { totalSize -= removed.bytes.readableBytes }
        }

        mutating func sweep(now: NIODeadline, ttl: TimeAmount) {
            for (key, entry) in entries where entry.expires <= now { remove(key) }
            nextSweep = now + ttl
        }
    }

    private let state = NIOLockedValueBox(State())

    init(ttl: Duration, maximumFileSize: Int = 64 * 1024, maximumTotalSize: Int = 64 * 1024 * 1024) {
        self.ttl = ttl
        self.maximumFileSize = maximumFileSize
        self.maximumTotalSize = maximumTotalSize
    }

    var isEnabled: Bool { ttl > .zero }

    /// The entry while it is fresh.
    func entry(for key: Key, now: NIODeadline = .now()) -> Entry? {
        state.withLockedValue { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.expires > now else {
                state.remove(key)
                return nil
            }
            return entry
        }
    }

    func store(
        _ info: StaticFileInfo, bytes: ByteBuffer, representation: EncodedFields, for key: Key, now: NIODeadline = .now()
    ) {
        guard isEnabled, bytes.readableBytes <= maximumFileSize else { return }
        let ttl = TimeAmount(ttl)
        let entry = Entry(info: info, bytes: bytes, representation: representation, expires: now + ttl)
        state.withLockedValue { state in
            state.remove(key)
            if now >= state.nextSweep || state.totalSize + bytes.readableBytes > maximumTotalSize {
                state.sweep(now: now, ttl: ttl)
            }
            guard state.totalSize + bytes.readableBytes <= maximumTotalSize else { return }
            state.entries[key] = entry
            state.totalSize += bytes.readableBytes
        }
    }

    /// Entries held (fresh or not yet swept) and their bytes.
    var occupancy: (entries: Int, bytes: Int) {
        state.withLockedValue { ($0.entries.count, $0.totalSize) }
    }
}
