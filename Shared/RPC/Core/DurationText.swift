/// The duration syntax of settings: a whole number followed by `ms`, `s`, `m` or `h`;
/// a bare number means seconds, the unit most timeouts are thought of in. Shared by the
/// services' settings and the `rpc` tool.
package enum DurationText {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000),
    ]

    package static func parse(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        guard !digits.isEmpty, let amount = Int64(digits) else { return nil }
        let scale: Int64
        if suffix.isEmpty {
            scale = 1_000
        } else if let unit = units.first(where: { $0.suffix == suffix }) {
            scale = unit.milliseconds
        } else {
            return nil
        }
        let (milliseconds, overflow) = amount.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return .milliseconds(milliseconds)
    }

    /// Writes the duration in the largest unit that represents it exactly, so `--help`
    /// shows `30s` rather than `30000ms` and the output can be pasted back as input.
    package static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        guard seconds >= 0, attoseconds >= 0, attoseconds % attosecondsPerMillisecond == 0 else {
            return "\(duration)"
        }
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        guard !overflow else { return "\(duration)" }
        let milliseconds = fromSeconds + attoseconds / attosecondsPerMillisecond
        guard milliseconds > 0 else { return "0s" }
        for unit in units.reversed() where milliseconds % unit.milliseconds == 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }

    /// Milliseconds with three decimals (`2.045`), as `Server-Timing`'s `dur` is written.
    package static func decimalMilliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
