import NIOConcurrencyHelpers
import XCTest

/// Thread-safe, ordered record of what test services did.
final class EventLog: Sendable {
    private let entries = NIOLockedValueBox<[String]>([])

    func append(_ entry: String) {
        entries.withLockedValue { $0.append(entry) }
    }

    var events: [String] {
        entries.withLockedValue { $0 }
    }
}

struct TimedOut: Error {}

/// Runs `body`, failing instead of hanging when it takes longer than `limit`.
func withTimeLimit<T: Sendable>(
    _ limit: Duration = .seconds(10),
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimedOut()
        }
        return value
    }
}

/// Polls `condition` until it holds or `limit` passes.
func waitUntil(
    _ limit: Duration = .seconds(5),
    file: StaticString = #filePath,
    line: UInt = #line,
    _ condition: @Sendable () -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            XCTFail("condition not met within \(limit)", file: file, line: line)
            throw TimedOut()
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}
