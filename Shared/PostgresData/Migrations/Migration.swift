import RPC

/// One forward-only schema change, usually read from an `NNNN_name.sql` file (see
/// ``load(from:subdirectory:)``).
///
/// PostgresNIO sends every query through the extended protocol, which takes one statement at a
/// time, so the file is split into statements by a deliberately simple rule:
/// - a statement ends with `;` as the last non-blank character of a line;
/// - lines whose first non-blank characters are `--` are comments and are dropped;
/// - `$$`-quoted bodies are refused, since their inner `;` lines would be split.
/// A `;` at the end of a line inside a string literal would also split; the schema has none.
///
/// A line `--! refuse-if-rows: <reason>` makes the statement after it a check rather than a
/// change: a query whose rows (first column, as text) each name something that stops the
/// migration. Any row refuses the migration with the reason and those rows, and nothing of it
/// is applied. Plain SQL cannot raise an error of its own (that takes a PL/pgSQL function), and
/// a change that fails on data a live database may hold should say which data and what to do,
/// not fail on the first offending row with PostgreSQL's own words.
public struct Migration: Sendable, Equatable {
    /// One statement of a migration.
    public enum Step: Sendable, Equatable {
        /// A change, run as it is.
        case execute(String)
        /// A check: each row `query` returns names something that stops the migration, for `reason`.
        case refuseIfRows(query: String, reason: String)

        /// The statement's SQL.
        public var sql: String {
            switch self {
            case .execute(let sql), .refuseIfRows(let sql, _): sql
            }
        }
    }

    /// Applied in ascending order, each once; recorded in the history table.
    public let version: Int
    /// What the change is, from the file name (`0002_add_likes.sql`: `add_likes`).
    public let name: String
    /// The statements, in order, in one transaction.
    public let steps: [Step]

    /// Every step's SQL, checks included, in order.
    public var statements: [String] { steps.map(\.sql) }

    /// A migration made of `steps`.
    public init(version: Int, name: String, steps: [Step]) {
        self.version = version
        self.name = name
        self.steps = steps
    }

    /// A migration of plain changes.
    public init(version: Int, name: String, statements: [String]) {
        self.init(version: version, name: name, steps: statements.map(Step.execute))
    }

    static let refuseDirective = "--! refuse-if-rows:"

    /// Parses `fileName` (`0001_initial.sql`: digits, `_`, a name) and splits `sql` into statements.
    public init(fileName: String, sql: String) throws {
        guard let (version, name) = Self.parse(fileName: fileName) else {
            throw MigrationError.malformedFileName(fileName)
        }
        var steps: [Step] = []
        var pending: [Substring] = []
        var refusal: String?
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("--!") {
                guard trimmed.hasPrefix(Self.refuseDirective) else {
                    throw MigrationError.unsupportedSQL(file: fileName, reason: "unknown directive '\(trimmed)'")
                }
                let reason = trimmed.dropFirst(Self.refuseDirective.count).trimmingWhitespace()
                guard pending.isEmpty, refusal == nil, !reason.isEmpty else {
                    throw MigrationError.unsupportedSQL(
                        file: fileName, reason: "'\(Self.refuseDirective)' needs a reason and must precede a statement")
                }
                refusal = String(reason)
                continue
            }
            if trimmed.isEmpty || trimmed.hasPrefix("--") { continue }
            if trimmed.contains("$$") {
                throw MigrationError.unsupportedSQL(file: fileName, reason: "'$$' bodies cannot be split into statements")
            }
            pending.append(line)
            if trimmed.hasSuffix(";") {
                let statement = pending.joined(separator: "\n")
                if let reason = refusal {
                    steps.append(.refuseIfRows(query: statement, reason: reason))
                } else {
                    steps.append(.execute(statement))
                }
                pending.removeAll()
                refusal = nil
            }
        }
        guard pending.isEmpty, refusal == nil else {
            throw MigrationError.unsupportedSQL(file: fileName, reason: "text after the last statement does not end with ';'")
        }
        guard !steps.isEmpty else {
            throw MigrationError.unsupportedSQL(file: fileName, reason: "no statements")
        }
        self.init(version: version, name: name, steps: steps)
    }

    private static func parse(fileName: String) -> (Int, String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(".sql".count)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        guard digits.count == 4, digits.allSatisfy(\.isASCII), let version = Int(digits), version > 0,
            !name.isEmpty, name.allSatisfy(nameCharacters.contains)
        else { return nil }
        return (version, String(name))
    }
}
