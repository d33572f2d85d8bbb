/// Maps a request path to a file path inside the static folder, refusing every way out of it.
///
/// `/` maps to `index.html`; `/static/<path>` to `<path>` inside the folder. The path is
/// percent-decoded exactly once, then split, so `%2e%2e%2f` is caught as `../` and
/// `%252e%252e` stays the harmless literal name `%2e%2e`. The file system has the last word:
/// the resolver also checks the real path (symbolic links) against the folder.
struct StaticPath: Sendable, Hashable {
    /// The decoded path below the static folder, its segments joined by `/` (no empty or `.`
    /// segment, no leading or trailing slash); empty for the folder itself. One string rather
    /// than a list of segments: it is made, hashed and compared for every static request.
    let relativePath: String
    /// The request named a directory (trailing slash), so a listing may answer it.
    let isDirectory: Bool

    init(relativePath: String, isDirectory: Bool) {
        self.relativePath = relativePath
        self.isDirectory = isDirectory
    }

    init(segments: [String], isDirectory: Bool) {
        self.init(relativePath: segments.joined(separator: "/"), isDirectory: isDirectory)
    }

    /// Decoded path segments below the static folder; empty for the folder itself.
    var segments: [String] { relativePath.split(separator: "/").map(String.init) }

    /// The last segment: the file's name.
    var lastSegment: Substring? { relativePath.split(separator: "/").last }

    static let prefix = "/static/"

    enum Rejection: Error, Sendable, Equatable {
        /// Not a static route at all.
        case notStatic
        /// Bad percent-encoding, a NUL or other control byte, a backslash.
        case malformed
        /// A `..` segment: an attempt to leave the folder.
        case traversal
        /// A segment starting with `.`: dotfiles (`.git`, `.env`) are never served.
        case hidden
    }

    /// - Parameter path: The request target's path, without query or fragment.
    static func parse(_ path: Substring) -> Result<StaticPath, Rejection> {
        var path = path
        return path.withUTF8 { parse($0) }
    }

    /// - Parameter path: The UTF-8 bytes of the request target's path, without query or fragment.
    static func parse(_ path: UnsafeBufferPointer<UInt8>) -> Result<StaticPath, Rejection> {
        // Bytes, not Characters: nginx matches prefixes byte by byte, and a combining mark after
        // a `/` must not change which route a path takes.
        if path.elementsEqual("/".utf8) { return .success(StaticPath(segments: ["index.html"], isDirectory: false)) }
        guard path.starts(with: prefix.utf8) else { return .failure(.notStatic) }
        let encoded = UnsafeBufferPointer(rebasing: path[(path.startIndex + prefix.utf8.count)...])
        // Most paths have nothing to decode; they are split where they lie.
        guard encoded.contains(UInt8(ascii: "%")) else { return parse(decoded: encoded) }
        guard let decoded = percentDecoded(encoded) else { return .failure(.malformed) }
        return decoded.withUnsafeBufferPointer { parse(decoded: $0) }
    }

    /// Checks each segment of decoded bytes and joins the ones kept. On a buffer pointer rather
    /// than a generic collection: this runs for every static request. A path with nothing to
    /// drop (the usual case) becomes its string in one piece.
    private static func parse(decoded: UnsafeBufferPointer<UInt8>) -> Result<StaticPath, Rejection> {
        var dropsSegments = false
        var kept = 0
        var failure: Rejection?
        forEachSegment(of: decoded) { segment in
            if segment.isEmpty || segment.elementsEqual(".".utf8) {
                dropsSegments = true
                return true
            }
            if segment.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) {
                failure = .malformed
            } else if segment.elementsEqual("..".utf8) {
                failure = .traversal
            } else if segment.first == UInt8(ascii: ".") {
                failure = .hidden
            }
            kept += 1
            return failure == nil
        }
        if let failure { return .failure(failure) }
        let isDirectory = decoded.last == UInt8(ascii: "/") || kept == 0
        guard dropsSegments else {
            let end = decoded.last == UInt8(ascii: "/") ? decoded.endIndex - 1 : decoded.endIndex
            guard let text = validUTF8(UnsafeBufferPointer(rebasing: decoded[..<end])) else { return .failure(.malformed) }
            return .success(StaticPath(relativePath: text, isDirectory: isDirectory))
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(decoded.count)
        forEachSegment(of: decoded) { segment in
            guard !segment.isEmpty, !segment.elementsEqual(".".utf8) else { return true }
            if !joined.isEmpty { joined.append(UInt8(ascii: "/")) }
            joined.append(contentsOf: segment)
            return true
        }
        guard let text = joined.withUnsafeBufferPointer(validUTF8) else { return .failure(.malformed) }
        return .success(StaticPath(relativePath: text, isDirectory: isDirectory))
    }

    /// `bytes` as a string if they are valid UTF-8. Decoded (which repairs) and compared rather
    /// than `String(validating:as:)`, which is generic over the encoding and looked its
    /// metadata up at run time on every static request.
    private static func validUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }

    /// Calls `body` with each `/`-separated segment (empty ones too, none after a trailing
    /// slash) until it returns false.
    private static func forEachSegment(of path: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var start = path.startIndex
        while start != path.endIndex {
            let end = path[start...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            guard body(UnsafeBufferPointer(rebasing: path[start..<end])) else { return }
            start = end == path.endIndex ? end : end + 1
        }
    }

    private static func percentDecoded(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
