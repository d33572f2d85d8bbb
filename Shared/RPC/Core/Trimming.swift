// Trimming for configuration text and HTTP field values, shared by every module of the kit.

extension StringProtocol {
    /// Without the optional whitespace (spaces and tabs) around a header value or one of its
    /// parts (RFC 9110 §5.6.3).
    package func trimmingOptionalWhitespace() -> SubSequence {
        trimming(where: { $0 == " " || $0 == "\t" })
    }

    /// Without any leading and trailing whitespace (configuration text, file contents).
    package func trimmingWhitespace() -> SubSequence {
        trimming(where: \.isWhitespace)
    }

    /// Without the leading and trailing characters for which `isTrimmed` holds.
    package func trimming(where isTrimmed: (Character) -> Bool) -> SubSequence {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
