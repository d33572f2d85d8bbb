import NIOCore
import XCTest

@testable import EdgeService

final class StaticFileCacheTests: XCTestCase {
    private func file(_ size: Int) -> (StaticFileInfo, ByteBuffer) {
        let info = StaticFileInfo(
            size: size, validators: Validators(modified: 1, size: size), contentType: "text/plain", contentEncoding: nil,
            hasEncodedVariant: false)
        return (info, ByteBuffer(repeating: 0x61, count: size))
    }

    private let representation = EncodedFields([("Content-Type", "text/plain")])

    private func key(_ name: String) -> StaticFileCache.Key {
        StaticFileCache.Key(path: StaticPath(segments: [name], isDirectory: false), acceptsGzip: false)
    }

    func testEntriesAskedForOnceAreSweptAfterTheirTTL() {
        let cache = StaticFileCache(ttl: .seconds(1))
        let start = NIODeadline.now()
        let (info, bytes) = file(1000)
        for index in 0..<500 {
            cache.store(info, bytes: bytes, representation: representation, for: key("once-\(index)"), now: start)
        }
        XCTAssertEqual(cache.occupancy.entries, 500)

        // Never asked for again; the next store after the TTL sweeps them all.
        cache.store(info, bytes: bytes, representation: representation, for: key("later"), now: start + .seconds(2))
        XCTAssertEqual(cache.occupancy.entries, 1)
        XCTAssertEqual(cache.occupancy.bytes, 1000)
        XCTAssertNotNil(cache.entry(for: key("later"), now: start + .seconds(2)))
    }

    func testStaleEntriesDoNotKeepFreshFilesOutOfAFullCache() {
        let cache = StaticFileCache(ttl: .seconds(10), maximumFileSize: 1000, maximumTotalSize: 10_000)
        let start = NIODeadline.now()
        let (info, bytes) = file(1000)
        for index in 0..<10 {
            cache.store(info, bytes: bytes, representation: representation, for: key("old-\(index)"), now: start)
        }
        XCTAssertEqual(cache.occupancy.bytes, 10_000)
        // Full of fresh entries: a new one is not kept, and nothing fresh is dropped.
        cache.store(info, bytes: bytes, representation: representation, for: key("refused"), now: start + .seconds(1))
        XCTAssertNil(cache.entry(for: key("refused"), now: start + .seconds(1)))
        XCTAssertEqual(cache.occupancy.entries, 10)
        // Once they expire, a store makes room by sweeping them.
        cache.store(info, bytes: bytes, representation: representation, for: key("fresh"), now: start + .seconds(11))
        XCTAssertNotNil(cache.entry(for: key("fresh"), now: start + .seconds(11)))
        XCTAssertEqual(cache.occupancy.entries, 1)
    }

    func testReplacingAnEntryKeepsTheSizeAccountExact() {
        let cache = StaticFileCache(ttl: .seconds(10))
        let start = NIODeadline.now()
        let (small, smallBytes) = file(100)
        let (large, largeBytes) = file(300)
        cache.store(small, bytes: smallBytes, representation: representation, for: key("a"), now: start)
        cache.store(large, bytes: largeBytes, representation: representation, for: key("a"), now: start)
        XCTAssertEqual(cache.occupancy.entries, 1)
        XCTAssertEqual(cache.occupancy.bytes, 300)
    }
}
