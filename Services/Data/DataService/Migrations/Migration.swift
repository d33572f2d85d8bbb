/// One forward-only schema change, read from a bundled `NNNN_name.sql` file.
///
/// PostgresNIO sends every query through the extended protocol, which takes one statement at a
/// time, so the file is split into statements by a deliberately simple rule:
/// - a statement ends with `;` as the last non-blank character of a line;
/// - lines whose first non-blank characters are `--` are comments and are dropped;
/// - `$$`-quoted bodies are refused, since their inner `;` lines would be split.
/// A `;` at the end of a line inside a string literal would also split; the schema has none.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Parses `fileName` (`0001_initial.sql`: digits, `_`, a name) and splits `sql` into statements.
    public init(fileName: String, sql: String) throws {
        guard let (version, name) = Self.parse(fileName: fileName) else {
            throw MigrationError.malformedFileName(fileName)
        }
        var statements: [String] = []
        var pending: [Substring] = []
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("--") { continue }
            if trimmed.contains("$$") {
                throw MigrationError.unsupportedSQL(file: fileName, reason: "'$$' bodies cannot be split into statements")
            }
            pending.append(line)
            if trimmed.hasSuffix(";") {
                statements.append(pending.joined(separator: "\n"))
                pending.removeAll()
            }
        }
        guard pending.isEmpty else {
            throw MigrationError.unsupportedSQL(file: fileName, reason: "text after the last statement does not end with ';'")
        }
        guard !statements.isEmpty else {
            throw MigrationError.unsupportedSQL(file: fileName, reason: "no statements")
        }
        self.init(version: version, name: name, statements: statements)
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

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
