extension StringProtocol {
    /// Without the optional whitespace (spaces and tabs) around a header value or one of its
    /// parts (RFC 9110 §5.6.3).
    func trimmingOptionalWhitespace() -> SubSequence {
        trimming(where: { $0 == " " || $0 == "\t" })
    }

    /// Without the leading and trailing characters for which `isTrimmed` holds.
    func trimming(where isTrimmed: (Character) -> Bool) -> SubSequence {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
