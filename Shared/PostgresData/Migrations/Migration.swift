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
/// Directives, lines starting `--!`, say how a file is applied. Two come before the first
/// statement:
/// - `--! expand` or `--! contract`, one of them in every file: whether the build before this
///   migration keeps working on the schema after it (see ``Compatibility``);
/// - `--! no-transaction`, for statements PostgreSQL refuses inside a transaction
///   (`CREATE INDEX CONCURRENTLY`): they run one at a time, and a failure leaves the ones before
///   it applied, so each must be safe to run again.
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

    /// Whether code written for the schema before a migration still works after it: what
    /// lets a rolling deploy, or a rollback, run the previous build against the new schema.
    public enum Compatibility: String, Sendable, Equatable {
        /// Adds what older code ignores (a table, a nullable or defaulted column, an index, a
        /// looser constraint): builds that ran on the schema before it keep running.
        case expand
        /// Removes or changes what older code uses (drops or renames a column, tightens a
        /// type): only builds that know this migration run on the schema after it; older ones
        /// refuse to start. Ship it after every running build has stopped using what it removes.
        case contract
    }

    /// Applied in ascending order, each once; recorded in the history table.
    public let version: Int
    /// What the change is, from the file name (`0002_add_likes.sql`: `add_likes`).
    public let name: String
    /// The statements, in order.
    public let steps: [Step]
    /// Whether the build before this migration keeps working after it.
    public let compatibility: Compatibility
    /// Whether the steps run in one transaction (all or nothing) or one by one, for statements
    /// PostgreSQL refuses inside a transaction.
    public let inTransaction: Bool

    /// Every step's SQL, checks included, in order.
    public var statements: [String] { steps.map(\.sql) }

    /// A migration made of `steps`; by default one that older builds cannot run against, in one transaction.
    public init(version: Int, name: String, steps: [Step], compatibility: Compatibility = .contract, inTransaction: Bool = true) {
        self.version = version
        self.name = name
        self.steps = steps
        self.compatibility = compatibility
        self.inTransaction = inTransaction
    }

    /// A migration of plain changes.
    public init(
        version: Int, name: String, statements: [String], compatibility: Compatibility = .contract, inTransaction: Bool = true
    ) {
        self.init(
            version: version, name: name, steps: statements.map(Step.execute), compatibility: compatibility,
            inTransaction: inTransaction)
    }

    static let refuseDirective = "--! refuse-if-rows:"
    static let noTransactionDirective = "--! no-transaction"

    /// Parses `fileName` (`0001_initial.sql`: digits, `_`, a name) and splits `sql` into statements.
    public init(fileName: String, sql: String) throws {
        guard let (version, name) = Self.parse(fileName: fileName) else {
            throw MigrationError.malformedFileName(fileName)
        }
        var steps: [Step] = []
        var pending: [Substring] = []
        var refusal: String?
        var compatibility: Compatibility?
        var inTransaction = true
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("--!") {
                let fileDirective = Compatibility(rawValue: String(trimmed.dropFirst(3).trimmingWhitespace()))
                if fileDirective != nil || trimmed == Self.noTransactionDirective {
                    guard steps.isEmpty, pending.isEmpty, refusal == nil else {
                        throw MigrationError.unsupportedSQL(file: fileName, reason: "'\(trimmed)' must come before the first statement")
                    }
                    if let fileDirective {
                        guard compatibility == nil else {
                            throw MigrationError.unsupportedSQL(file: fileName, reason: "declares expand or contract more than once")
                        }
                        compatibility = fileDirective
                    } else {
                        inTransaction = false
                    }
                    continue
                }
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
        guard let compatibility else {
            throw MigrationError.unsupportedSQL(
                file: fileName,
                reason: "declare '--! expand' (the previous build keeps working on the new schema) or '--! contract' (it does not)")
        }
        self.init(version: version, name: name, steps: steps, compatibility: compatibility, inTransaction: inTransaction)
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
