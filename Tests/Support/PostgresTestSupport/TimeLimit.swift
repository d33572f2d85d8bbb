public struct TimeLimitExceeded: Error, CustomStringConvertible {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    public var description: String { "test step did not finish within \(limit)" }
}

/// Runs `body`, failing with ``TimeLimitExceeded`` if it takes longer than `limit`, so a hung
/// database call fails the test instead of stalling the run.
public func withTimeLimit<Result: Sendable>(
    _ limit: Duration = .seconds(30),
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeLimitExceeded(limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimeLimitExceeded(limit: limit) }
        return first
    }
}
