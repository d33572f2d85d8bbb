/// Reads counters from Prometheus text exposition format.
enum MetricsText {
    /// The sum of every series of `name` (all label combinations), or nil if it has none.
    /// Series of other metrics that merely start with `name` (`name_bucket`, …) are ignored.
    static func sum(of name: String, in text: String) -> Double? {
        var total: Double?
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(name) {
            var rest = line.dropFirst(name.count)
            if rest.first == "{" {
                // Label values are quoted and may contain "}"; skip to the brace outside quotes.
                guard let close = closingBrace(in: rest) else { continue }
                rest = rest[rest.index(after: close)...]
            } else if rest.first != " " {
                continue
            }
            guard let valueText = rest.split(separator: " ").first, let value = Double(valueText) else { continue }
            total = (total ?? 0) + value
        }
        return total
    }

    private static func closingBrace(in text: Substring) -> Substring.Index? {
        var inQuotes = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == "}", !inQuotes {
                return index
            }
        }
        return nil
    }
}
