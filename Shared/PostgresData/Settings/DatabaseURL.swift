import Foundation

/// The parts of a `postgres://user:password@host:port/database?sslmode=…` URL; absent parts are nil.
struct DatabaseURL: Equatable {
    static let variable = "DATABASE_URL"

    var host: String?
    var port: Int?
    var username: String?
    var password: String?
    var database: String?
    var sslMode: SSLMode?

    init(parsing text: String) throws {
        // Errors describe the problem without echoing the URL: it usually carries a password.
        let shape = "expected postgres://user:password@host:port/database?sslmode=mode"
        guard let components = URLComponents(string: text) else {
            throw DatabaseSettingsError(source: Self.variable, problem: "not a valid URL (bad port or characters?); \(shape)")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseSettingsError(source: Self.variable, problem: "scheme must be postgres:// or postgresql://; \(shape)")
        }

        host = try Self.decoded(components.percentEncodedHost, part: "host").map { host in
            // An IPv6 literal is bracketed in a URL ([::1]) but not when connecting.
            host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }
        username = try Self.decoded(components.percentEncodedUser, part: "user name")
        password = try Self.decoded(components.percentEncodedPassword, part: "password")
        if let port = components.port {
            guard (1...65535).contains(port) else {
                throw DatabaseSettingsError(source: Self.variable, problem: "port \(port) is outside 1–65535")
            }
            self.port = port
        }

        let path = components.percentEncodedPath
        if !path.isEmpty, path != "/" {
            let name = String(path.dropFirst())
            guard path.hasPrefix("/"), !name.contains("/") else {
                throw DatabaseSettingsError(source: Self.variable, problem: "path must be a single database name; \(shape)")
            }
            database = try Self.decoded(name, part: "database name")
        }

        for item in components.queryItems ?? [] {
            // Silently ignoring a misspelt parameter would hide a wrong TLS setting.
            guard item.name == "sslmode", let value = item.value else {
                throw DatabaseSettingsError(
                    source: Self.variable, problem: "unsupported query parameter '\(item.name)'; only sslmode is understood")
            }
            sslMode = try SSLMode(parsing: value, source: Self.variable)
        }
    }

    private static func decoded(_ encoded: String?, part: String) throws -> String? {
        guard let encoded, !encoded.isEmpty else { return nil }
        guard let decoded = encoded.removingPercentEncoding else {
            throw DatabaseSettingsError(source: variable, problem: "the \(part) has invalid percent-encoding")
        }
        return decoded
    }
}
