/// Maps a request path to a file path inside the static folder, refusing every way out of it.
///
/// `/` maps to `index.html`; `/static/<path>` to `<path>` inside the folder. The path is
/// percent-decoded exactly once, then split, so `%2e%2e%2f` is caught as `../` and
/// `%252e%252e` stays the harmless literal name `%2e%2e`. The file system has the last word:
/// the resolver also checks the real path (symbolic links) against the folder.
struct StaticPath: Sendable, Hashable {
    /// Decoded path segments below the static folder; empty for the folder itself.
    var segments: [String]
    /// The request named a directory (trailing slash), so a listing may answer it.
    var isDirectory: Bool

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

    /// Splits decoded bytes into segments. On a buffer pointer rather than a generic collection:
    /// this runs for every static request.
    private static func parse(decoded: UnsafeBufferPointer<UInt8>) -> Result<StaticPath, Rejection> {
        var segments: [String] = []
        var start = decoded.startIndex
        while start != decoded.endIndex {
            let end = decoded[start...].firstIndex(of: UInt8(ascii: "/")) ?? decoded.endIndex
            let segment = UnsafeBufferPointer(rebasing: decoded[start..<end])
            start = end == decoded.endIndex ? end : end + 1
            if segment.isEmpty { continue }
            if segment.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) { return .failure(.malformed) }
            if segment.elementsEqual("..".utf8) { return .failure(.traversal) }
            if segment.elementsEqual(".".utf8) { continue }
            if segment.first == UInt8(ascii: ".") { return .failure(.hidden) }
            guard let text = String(validating: segment, as: UTF8.self) else { return .failure(.malformed) }
            segments.append(text)
        }
        return .success(StaticPath(segments: segments, isDirectory: decoded.last == UInt8(ascii: "/") || segments.isEmpty))
    }

    /// The path relative to the folder, for joining onto the folder's real path.
    var relativePath: String { segments.joined(separator: "/") }

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
