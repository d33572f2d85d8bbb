/// A connection setting that could not be used, naming where it came from.
///
/// Messages never repeat a password: DATABASE_URL values are described, not echoed.
public struct DatabaseSettingsError: Error, Equatable, CustomStringConvertible {
    /// The environment variable (or other source) that held the bad value.
    public let source: String
    /// What is wrong with it, without repeating the value (it may hold a password).
    public let problem: String

    /// An error about `source`.
    public init(source: String, problem: String) {
        self.source = source
        self.problem = problem
    }

    /// "source: problem".
    public var description: String { "\(source): \(problem)" }
}
