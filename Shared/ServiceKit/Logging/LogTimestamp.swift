#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A wall-clock instant with millisecond precision, written as ISO-8601 UTC
/// (`2025-01-31T23:59:59.123Z`).
///
/// Formatted by hand (with ``CivilDate``) because it runs for every log line: no allocation
/// beyond the output buffer, no locale, no formatter objects.
public struct LogTimestamp: Sendable, Equatable {
    public var secondsSinceEpoch: Int
    public var milliseconds: Int

    public init(secondsSinceEpoch: Int, milliseconds: Int) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.milliseconds = milliseconds
    }

    public static func now() -> LogTimestamp {
        // Not clock_gettime: `timespec` has two definitions (Glibc's and one a NIO module's
        // headers bring in), and which one a build attributes its fields to varies, which
        // MemberImportVisibility turns into an error in release builds.
        let now = Date().timeIntervalSince1970
        let seconds = now.rounded(.down)
        let fraction = now - seconds
        return LogTimestamp(secondsSinceEpoch: Int(seconds), milliseconds: min(999, max(0, Int(fraction * 1000))))
    }

    func append(to buffer: inout [UInt8]) {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let date = CivilDate(daysSince1970: days)
        Self.appendDigits(date.year, width: 4, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        Self.appendDigits(date.month, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        Self.appendDigits(date.day, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "T"))
        Self.appendDigits(secondOfDay / 3600, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        Self.appendDigits(secondOfDay / 60 % 60, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        Self.appendDigits(secondOfDay % 60, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "."))
        Self.appendDigits(milliseconds, width: 3, to: &buffer)
        buffer.append(UInt8(ascii: "Z"))
    }

    /// Fixed-width, zero-padded decimal written digit by digit, so formatting allocates
    /// nothing. Every field fits its width (years up to 9999).
    private static func appendDigits(_ value: Int, width: Int, to buffer: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        let value = max(value, 0)
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

extension LogTimestamp: CustomStringConvertible {
    public var description: String {
        var buffer: [UInt8] = []
        append(to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
