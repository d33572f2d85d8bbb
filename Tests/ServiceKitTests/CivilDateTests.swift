import Foundation
import ServiceKit
import XCTest

final class CivilDateTests: XCTestCase {
    func testKnownDays() {
        XCTAssertEqual(CivilDate(daysSince1970: 0), CivilDate(year: 1970, month: 1, day: 1))
        XCTAssertEqual(CivilDate(daysSince1970: -1), CivilDate(year: 1969, month: 12, day: 31))
        XCTAssertEqual(CivilDate(daysSince1970: 11_016), CivilDate(year: 2000, month: 2, day: 29))
        XCTAssertEqual(CivilDate(daysSince1970: 11_017), CivilDate(year: 2000, month: 3, day: 1))
        XCTAssertEqual(CivilDate(year: 1600, month: 2, day: 29).daysSince1970, -135_081)
        XCTAssertEqual(CivilDate(year: 1900, month: 3, day: 1).daysSince1970, -25_508)
    }

    /// Every day from year 1 to 9999 against Foundation's Gregorian calendar, where the two
    /// calendars agree (after 1582-10-15; before it Foundation's is Julian).
    func testAgreesWithFoundationAndRoundTrips() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try XCTUnwrap(TimeZone(identifier: "UTC"))
        let first = CivilDate(year: 1, month: 1, day: 1).daysSince1970
        let last = CivilDate(year: 9999, month: 12, day: 31).daysSince1970
        let gregorianStart = CivilDate(year: 1582, month: 10, day: 15).daysSince1970
        var mismatches: [Int] = []
        for days in stride(from: first, through: last, by: 1) {
            let date = CivilDate(daysSince1970: days)
            var agrees = date.daysSince1970 == days
            if days >= gregorianStart, days % 97 == 0 {
                let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
                agrees = agrees && parts.year == date.year && parts.month == date.month && parts.day == date.day
            }
            if !agrees { mismatches.append(days) }
            if mismatches.count == 10 { break }
        }
        XCTAssertEqual(mismatches, [], "days that do not round-trip or disagree with Foundation")
    }

    func testSecondsSplitTowardsThePast() {
        XCTAssertEqual(CivilDate.split(secondsSince1970: 0).days, 0)
        XCTAssertEqual(CivilDate.split(secondsSince1970: 86_399).secondOfDay, 86_399)
        XCTAssertEqual(CivilDate.split(secondsSince1970: 86_400).days, 1)
        XCTAssertEqual(CivilDate.split(secondsSince1970: -1).days, -1)
        XCTAssertEqual(CivilDate.split(secondsSince1970: -1).secondOfDay, 86_399)
        XCTAssertEqual(CivilDate.split(secondsSince1970: -86_400).days, -1)
        XCTAssertEqual(CivilDate.split(secondsSince1970: -86_400).secondOfDay, 0)
    }
}
