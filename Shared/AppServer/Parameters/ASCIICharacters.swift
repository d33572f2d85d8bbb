/// A set of ASCII characters, such as the ones a name may contain: checked byte by byte
/// against a 128-bit table, and written as a regular-expression character class for the
/// OpenAPI document, so the router and the document cannot disagree about what is allowed.
public struct ASCIICharacters: Sendable, Equatable {
    private let low: UInt64
    private let high: UInt64
    /// The class's body as a pattern writes it, e.g. `A-Za-z0-9_.-`.
    public let patternClass: String

    /// - Parameters:
    ///   - ranges: inclusive ranges such as `"a"..."z"`; every bound must be ASCII.
    ///   - singles: further characters, e.g. `"_.-"`; all ASCII.
    public init(ranges: [ClosedRange<Unicode.Scalar>] = [], singles: String = "") {
        var pattern = ""
        var low: UInt64 = 0
        var high: UInt64 = 0
        for range in ranges {
            precondition(range.upperBound.isASCII, "ASCIICharacters holds ASCII only")
            for value in range.lowerBound.value...range.upperBound.value { Self.insert(UInt8(value), low: &low, high: &high) }
            pattern += Self.escaped(range.lowerBound) + "-" + Self.escaped(range.upperBound)
        }
        var dash = false
        for scalar in singles.unicodeScalars {
            precondition(scalar.isASCII, "ASCIICharacters holds ASCII only")
            Self.insert(UInt8(scalar.value), low: &low, high: &high)
            // Last and unescaped, where every regular-expression dialect reads it as itself.
            if scalar == "-" { dash = true } else { pattern += Self.escaped(scalar) }
        }
        patternClass = dash ? pattern + "-" : pattern
        self.low = low
        self.high = high
    }

    /// Whether every byte of `text` is in the set (so a non-ASCII byte never is).
    @inlinable
    public func contains(allOf text: String) -> Bool {
        text.utf8.allSatisfy(contains)
    }

    /// Whether `byte` is in the set.
    @inlinable
    public func contains(_ byte: UInt8) -> Bool {
        byte < 64 ? lowBits >> byte & 1 == 1 : byte < 128 && highBits >> (byte - 64) & 1 == 1
    }

    @usableFromInline var lowBits: UInt64 { low }
    @usableFromInline var highBits: UInt64 { high }

    private static func insert(_ byte: UInt8, low: inout UInt64, high: inout UInt64) {
        if byte < 64 { low |= 1 << byte } else { high |= 1 << (byte - 64) }
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\\", "]", "[", "^", "-": "\\" + String(scalar)
        default: String(scalar)
        }
    }
}
