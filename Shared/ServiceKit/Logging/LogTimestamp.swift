#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A wall-clock instant with millisecond precision, written as ISO-8601 UTC
/// (`2025-01-31T23:59:59.123Z`).
///
/// Formatted by hand from `clock_gettime` and `gmtime_r` because it runs for every log line:
/// no allocation beyond the output buffer, no locale, no formatter objects.
public struct LogTimestamp: Sendable, Equatable {
    public var secondsSinceEpoch: Int
    public var milliseconds: Int

    public init(secondsSinceEpoch: Int, milliseconds: Int) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.milliseconds = milliseconds
    }

    public static func now() -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(secondsSinceEpoch: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec) / 1_000_000)
    }

    func append(to buffer: inout [UInt8]) {
        var time = time_t(secondsSinceEpoch)
        var parts = tm()
        if gmtime_r(&time, &parts) == nil {
            // Only for years gmtime cannot represent; a visibly wrong date beats a lost line.
            parts = tm()
            parts.tm_year = 70
            parts.tm_mday = 1
        }
        Self.appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        Self.appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        Self.appendDigits(Int(parts.tm_mday), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "T"))
        Self.appendDigits(Int(parts.tm_hour), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        Self.appendDigits(Int(parts.tm_min), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        Self.appendDigits(Int(parts.tm_sec), width: 2, to: &buffer)
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
