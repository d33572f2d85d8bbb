import Foundation
import RPC

/// A deterministic byte mutator: the same seed always yields the same inputs, so a failure
/// found here can be replayed by running the test again.
struct FuzzBytes {
    private(set) var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: random.next()) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0..<choices.count)] }

    mutating func randomBytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in byte() }
    }

    /// Bytes that tend to break parsers: length-like extremes, terminators, high bits.
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x0A, 0x0D, 0x20, 0x25, 0x3A, 0xC0, 0xED]

    /// `1...maxMutations` byte-level mutations of `input`: bit flips, random or interesting bytes,
    /// insertions, deletions, duplications, truncation, and big-endian length fields set to extremes.
    mutating func mutate(_ input: [UInt8], maxMutations: Int = 4) -> [UInt8] {
        var bytes = input
        for _ in 0..<int(1...maxMutations) {
            bytes = mutateOnce(bytes)
        }
        return bytes
    }

    private mutating func mutateOnce(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return randomBytes(count: int(1...16)) }
        let at = int(0..<bytes.count)
        switch int(0..<9) {
        case 0:  // flip one bit
            bytes[at] ^= 1 << UInt8(int(0..<8))
        case 1:  // overwrite with a random byte
            bytes[at] = byte()
        case 2:  // overwrite with an interesting byte
            bytes[at] = pick(Self.interestingBytes)
        case 3:  // insert random bytes
            bytes.insert(contentsOf: randomBytes(count: int(1...8)), at: at)
        case 4:  // delete a run
            bytes.removeSubrange(at..<min(bytes.count, at + int(1...8)))
        case 5:  // duplicate a run
            let run = Array(bytes[at..<min(bytes.count, at + int(1...32))])
            bytes.insert(contentsOf: run, at: int(0...bytes.count))
        case 6:  // truncate
            bytes.removeSubrange(at...)
        case 7:  // a 16- or 32-bit field set to an extreme (lengths, counts, call ids)
            let width = pick([2, 4])
            let value: UInt32 = pick([0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0040_0000, 0x0040_0001])
            for index in 0..<width where at + index < bytes.count {
                bytes[at + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * (width - 1 - index)))
            }
        default:  // swap two bytes
            let other = int(0..<bytes.count)
            bytes.swapAt(at, other)
        }
        return bytes
    }

    /// Text-level mutations of an HTTP request (CRLFs, header names, lengths, chunk sizes,
    /// NULs, methods, versions), then sometimes byte-level ones on top.
    mutating func mutateHTTP(_ request: [UInt8]) -> [UInt8] {
        var bytes = request
        for _ in 0..<int(1...3) {
            bytes = mutateHTTPOnce(bytes)
        }
        if chance(30) { bytes = mutate(bytes, maxMutations: 2) }
        return bytes
    }

    private static let hugeNumbers = [
        "99999999999999999999999999", "18446744073709551616", "9223372036854775808", "-1", "0x10", "1e3", " 5", "5, 6",
        "4294967296", "+5", "", "1_000", "\u{0}5", "٣",
    ]
    private static let chunkSizes = [
        "fffffffffffffffffffff", "-1", "0x10", "1;ext=\u{0}", "  5", "5 ", "g", "", "ffffffff", "7fffffffffffffff",
        "00000000000000000000001",
        "1\r\n\r\n", "0;" + String(repeating: "a", count: 300),
    ]
    private static let headerNames = [
        "Content Length", "Content-Length\u{0}", ":", "", "X-\u{7F}", "Ho st", "Transfer-Encoding", "Content-Length", "Host",
        "Authorization", "Expect", "Connection", "X-Request-ID", "Ünicode", "X-Forwarded-For", "\t",
        "A" + String(repeating: "b", count: 200),
    ]
    private static let headerValues = [
        "chunked", "chunked, gzip", "identity", "100-continue", "close", "keep-alive, Upgrade", "\u{0}", "a\rb", "a\nb", "\u{FF}",
        String(repeating: "v", count: 2000), "Bearer", "Bearer \u{1}", "999999999999999999999", "1.2.3.4, ::1, nonsense", "",
    ]
    private static let methods = [
        "HEAD", "OPTIONS", "TRACE", "CONNECT", "DELETE", "PATCH", "PUT", "G\u{0}T", "get", "PRI", "XYZ", String(repeating: "M", count: 100),
        "",
    ]
    private static let versions = ["HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.", "HTTP/1.1\u{0}", "HTTX/1.1", "", "HTTP/01.1", "http/1.1"]
    private static let targets = [
        "/api/users/%ZZ", "/api/users/%", "/api/%00", "/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "*",
        "http://evil.example/api/users", "/api/users/alice?page=%FF&size=-1", "/api/users/al ice", "/\u{0}",
        "/api/" + String(repeating: "a", count: 3000),
        "/api/search?text=%C3%28&username=%00", "//api//users", "/api/users/alice/collection/99999999999999999999999",
    ]

    private mutating func mutateHTTPOnce(_ input: [UInt8]) -> [UInt8] {
        var text = String(decoding: input, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        switch int(0..<12) {
        case 0:  // a CRLF becomes LF, CR, CRCRLF, nothing or NUL
            if let range = nthRange(of: "\r\n", in: text) {
                text.replaceSubrange(range, with: pick(["\n", "\r", "\r\r\n", "", "\u{0}", "\r\n\r\n", "\n\r"]))
            }
            return Array(text.utf8)
        case 1:  // a header name replaced
            if lines.count > 2 {
                let index = int(1..<max(2, lines.count - 1))
                if let colon = lines[index].firstIndex(of: ":") {
                    lines[index] = pick(Self.headerNames) + lines[index][colon...]
                }
            }
        case 2:  // an extra header
            let index = int(1...max(1, min(lines.count - 1, 3)))
            lines.insert(pick(Self.headerNames) + ": " + pick(Self.headerValues), at: min(index, lines.count))
        case 3:  // Content-Length (new or existing) set to something absurd
            let value = pick(Self.hugeNumbers)
            if let index = lines.firstIndex(where: { $0.lowercased().hasPrefix("content-length:") }), chance(70) {
                lines[index] = "Content-Length: " + value
            } else {
                lines.insert("Content-Length: " + value, at: min(1, lines.count))
            }
        case 4:  // a chunk size made bad, or chunked added to a request that has none
            let sizes =
                lines.firstIndex(of: "").map { blank in
                    lines.indices.filter { $0 > blank && !lines[$0].isEmpty && lines[$0].allSatisfy(\.isHexDigit) }
                } ?? []
            if !sizes.isEmpty {
                lines[pick(sizes)] = pick(Self.chunkSizes)
            } else {
                lines.insert("Transfer-Encoding: chunked", at: min(1, lines.count))
            }
        case 5:  // a NUL somewhere
            var bytes = input
            bytes.insert(0, at: int(0...bytes.count))
            return bytes
        case 6:  // the method
            let parts = lines[0].split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            lines[0] = pick(Self.methods) + " " + (parts.count > 1 ? parts[1] : "")
        case 7:  // the version
            if let space = lines[0].lastIndex(of: " ") { lines[0] = lines[0][..<space] + " " + pick(Self.versions) }
        case 8:  // the target
            let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false)
            if parts.count >= 3 { lines[0] = parts[0] + " " + pick(Self.targets) + " " + parts[parts.count - 1] }
        case 9:  // obs-fold continuation line
            lines.insert(pick([" folded", "\tfolded: value", " "]), at: min(int(1...2), lines.count))
        case 10:  // duplicate a header line
            if lines.count > 2 { lines.insert(lines[int(1..<lines.count - 1)], at: int(1..<lines.count)) }
        default:  // the body replaced with random bytes of another length
            if let headEnd = text.range(of: "\r\n\r\n") {
                var bytes = Array(text[..<headEnd.upperBound].utf8)
                bytes += randomBytes(count: int(0...64))
                return bytes
            }
        }
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    private mutating func nthRange(of needle: String, in text: String) -> Range<String.Index>? {
        var ranges: [Range<String.Index>] = []
        var from = text.startIndex
        while let range = text.range(of: needle, range: from..<text.endIndex) {
            ranges.append(range)
            from = range.upperBound
        }
        return ranges.isEmpty ? nil : pick(ranges)
    }
}
