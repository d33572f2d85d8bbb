/// The limits the data enforces; the database's CHECK constraints repeat the ones on stored values.
///
/// Lengths count Unicode code points (`unicodeScalars.count`), which is what PostgreSQL's
/// `char_length` counts in a UTF-8 database, so the service and the database always agree.
public enum DataLimits {
    public static let usernameLength = 1...50
    public static let passwordLength = 8...128
    public static let micropostTextLength = 1...255
    /// Shorter search terms would match nearly everything and cannot use the trigram index.
    public static let searchTextLength = 3...255
    public static let tokenIDLength = 1...200
    public static let maximumTokenIDsPerCheck = 100

    public static let pageSize = 1...100
    public static let defaultPageSize = 20
    /// Far beyond any real list; it keeps `(page - 1) * size` from overflowing.
    public static let pageNumber = 1...1_000_000
}
