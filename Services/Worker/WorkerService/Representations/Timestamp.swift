import AppServer
import ServiceKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `2026-02-01T00:04:10.123Z`: ISO 8601 in UTC with milliseconds, the format of every
/// micropost's `timestamp`. Computed with integer arithmetic, to the same digits as
/// Foundation's format style (milliseconds truncated from the seconds' fraction); that style
/// is kept for years before 1600 (it switches to the Julian calendar) and after 9999.
///
/// The digits are written where they are needed — into a body's JSON, or a `String` — so a
/// page of posts formats its timestamps without a `String` each.
struct Timestamp {
    private enum Form {
        case civil(CivilDate, secondOfDay: Int, millisecond: Int)
        case formatted(String)
    }

    private static let fallbackStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    /// The length of every timestamp from 1600 to 9999.
    static let civilLength = 24

    private let form: Form

    init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let wholeSeconds = interval.rounded(.down)
        guard wholeSeconds.isFinite, abs(wholeSeconds) < 1e12 else {
            form = .formatted(date.formatted(Self.fallbackStyle))
            return
        }
        let millisecond = min(Int((interval - wholeSeconds) * 1000), 999)
        let (days, secondOfDay) = CivilDate.split(secondsSince1970: Int(wholeSeconds))
        let civil = CivilDate(daysSince1970: days)
        guard (1600...9999).contains(civil.year) else {
            form = .formatted(date.formatted(Self.fallbackStyle))
            return
        }
        form = .civil(civil, secondOfDay: secondOfDay, millisecond: millisecond)
    }

    /// The bytes `write(to:)` writes.
    var utf8Count: Int {
        switch form {
        case .civil: Self.civilLength
        case .formatted(let text): text.utf8.count
        }
    }

    var text: String {
        if case .formatted(let text) = form { return text }
        return String(unsafeUninitializedCapacity: Self.civilLength) { buffer in
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(buffer))
            write(to: &writer)
            return writer.count
        }
    }

    /// The timestamp's characters, without quotes: all of them, Foundation's included, are
    /// digits and `-+:.TZ`, which JSON strings take as they are.
    func write(to writer: inout ByteWriter) {
        switch form {
        case .formatted(let text):
            writer.utf8(text)
        case .civil(let date, let secondOfDay, let millisecond):
            writer.fill(Self.civilLength) { output in
                var index = 0
                func put(_ value: Int, digits: Int) {
                    var value = value
                    for position in stride(from: digits - 1, through: 0, by: -1) {
                        output[index + position] = UInt8(ascii: "0") + UInt8(value % 10)
                        value /= 10
                    }
                    index += digits
                }
                func put(_ character: Unicode.Scalar) {
                    output[index] = UInt8(ascii: character)
                    index += 1
                }
                put(date.year, digits: 4)
                put("-")
                put(date.month, digits: 2)
                put("-")
                put(date.day, digits: 2)
                put("T")
                put(secondOfDay / 3600, digits: 2)
                put(":")
                put(secondOfDay / 60 % 60, digits: 2)
                put(":")
                put(secondOfDay % 60, digits: 2)
                put(".")
                put(millisecond, digits: 3)
                put("Z")
            }
        }
    }
}
