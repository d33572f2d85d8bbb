public import RPC

/// Field checks shared by the data service (which enforces them) and its callers (which may
/// check early to answer with their own error). Each failure is `invalidArgument` with a
/// message that starts with the field's name.
public enum DataValidation {
    public static func username(_ value: String, field: String = "username") throws(RPCError) {
        guard DataLimits.usernameLength.contains(value.unicodeScalars.count) else {
            throw .invalidArgument("\(field): must be \(describe(DataLimits.usernameLength)) characters long")
        }
        guard value.unicodeScalars.allSatisfy(isUsernameScalar) else {
            throw .invalidArgument("\(field): may contain only letters A-Z and a-z, digits, '_', '.' and '-'")
        }
    }

    public static func password(_ value: String) throws(RPCError) {
        guard DataLimits.passwordLength.contains(value.unicodeScalars.count) else {
            throw .invalidArgument("password: must be \(describe(DataLimits.passwordLength)) characters long")
        }
    }

    public static func micropostText(_ value: String, field: String = "text") throws(RPCError) {
        try text(value, field: field, length: DataLimits.micropostTextLength)
    }

    public static func searchText(_ value: String, field: String = "text") throws(RPCError) {
        try text(value, field: field, length: DataLimits.searchTextLength)
    }

    /// A username filter of a search: any substring of a possible username.
    public static func usernameFragment(_ value: String, field: String = "username") throws(RPCError) {
        try text(value, field: field, length: DataLimits.usernameLength)
    }

    public static func micropostID(_ value: Int64, field: String = "id") throws(RPCError) {
        guard value > 0 else { throw .invalidArgument("\(field): must be a positive integer") }
    }

    public static func page(_ value: PageRequest) throws(RPCError) {
        guard DataLimits.pageNumber.contains(value.page) else {
            throw .invalidArgument("page: must be \(describe(DataLimits.pageNumber))")
        }
        guard DataLimits.pageSize.contains(value.size) else {
            throw .invalidArgument("size: must be \(describe(DataLimits.pageSize))")
        }
    }

    public static func tokenID(_ value: String, field: String = "tokenID") throws(RPCError) {
        try text(value, field: field, length: DataLimits.tokenIDLength)
    }

    /// PostgreSQL text cannot hold U+0000; refusing it here makes it a clear client error
    /// instead of a database failure.
    private static func text(_ value: String, field: String, length: ClosedRange<Int>) throws(RPCError) {
        guard length.contains(value.unicodeScalars.count) else {
            throw .invalidArgument("\(field): must be \(describe(length)) characters long")
        }
        guard !value.unicodeScalars.contains("\u{0}") else {
            throw .invalidArgument("\(field): must not contain the NUL character")
        }
    }

    private static func isUsernameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        "\(range.lowerBound)–\(range.upperBound)"
    }
}
