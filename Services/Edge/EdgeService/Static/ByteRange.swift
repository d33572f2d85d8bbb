import RPC

/// A single `Range: bytes=…` request against a representation of known size (RFC 9110 §14).
///
/// Only single ranges are served. Anything the edge does not serve — another unit, several
/// ranges, a syntax error — is ignored and the whole file sent, which the RFC allows and
/// which every client handles; only a well-formed range outside the file is refused (416).
enum ByteRange: Sendable, Equatable {
    case whole
    /// Inclusive byte offsets.
    case partial(first: Int, last: Int)
    case unsatisfiable

    static func evaluate(_ header: String?, size: Int) -> ByteRange {
        guard let header else { return .whole }
        let value = header.trimmingOptionalWhitespace()
        guard value.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = value.dropFirst("bytes=".count).trimmingOptionalWhitespace()
        guard !spec.contains("," as Character), let dash = spec.firstIndex(of: "-") else { return .whole }
        let firstText = spec[..<dash]
        let lastText = spec[spec.index(after: dash)...]
        guard firstText.allSatisfy(\.isASCIIDigit), lastText.allSatisfy(\.isASCIIDigit) else { return .whole }

        if firstText.isEmpty {
            // Suffix form `-n`: the last n bytes.
            guard let suffix = Int(lastText) else { return lastText.isEmpty ? .whole : .unsatisfiable }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(first: max(0, size - suffix), last: size - 1)
        }
        // Offsets too large for Int are past any file, so unsatisfiable rather than malformed.
        guard let first = Int(firstText) else { return .unsatisfiable }
        let last: Int
        if lastText.isEmpty {
            last = size - 1
        } else {
            last = Int(lastText) ?? Int.max
            guard last >= first else { return .whole }
        }
        guard first < size else { return .unsatisfiable }
        return .partial(first: first, last: min(last, size - 1))
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
