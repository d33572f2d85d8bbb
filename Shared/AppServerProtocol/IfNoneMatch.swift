import RPC

/// The `If-None-Match` check (RFC 9110 §13.1.2), the same at the edge (static files) and in
/// app servers (resources): weak comparison, so `W/"x"` and `"x"` name the same version, and
/// `*` matches any current version.
public enum IfNoneMatch {
    /// True when the field value names `entityTag` (quoted, optionally `W/`-prefixed).
    public static func matches(_ fieldValue: some StringProtocol, entityTag: String) -> Bool {
        let wanted = entityTag.hasPrefix("W/") ? entityTag.dropFirst(2) : Substring(entityTag)
        return fieldValue.split(separator: ",").contains { candidate in
            var candidate = candidate.trimmingOptionalWhitespace()
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate = candidate.dropFirst(2) }
            return candidate == wanted
        }
    }
}
