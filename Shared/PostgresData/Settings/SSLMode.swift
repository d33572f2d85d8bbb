import PostgresNIO

/// libpq's `sslmode`, with the same meaning, so `PGSSLMODE` and `?sslmode=` behave as users expect.
public enum SSLMode: String, Sendable, CaseIterable {
    /// Plain connections only.
    case disable
    /// TLS if the server offers it, without checking its certificate.
    case prefer
    /// TLS always, without checking the certificate.
    case require
    /// TLS with a certificate signed by a trusted authority, for any host name.
    case verifyCA = "verify-ca"
    /// TLS with a trusted certificate for the host connected to.
    case verifyFull = "verify-full"

    /// libpq's `allow` (plain first, TLS only if refused) has no PostgresNIO equivalent and is rejected.
    init(parsing value: String, source: String) throws {
        guard let mode = SSLMode(rawValue: value.lowercased()) else {
            let known = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DatabaseSettingsError(source: source, problem: "unsupported sslmode '\(value)'; use one of \(known)")
        }
        self = mode
    }

    var tls: PostgresClient.Configuration.TLS {
        switch self {
        case .disable:
            return .disable
        case .prefer:
            return .prefer(Self.encryptOnly)
        case .require:
            return .require(Self.encryptOnly)
        case .verifyCA:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case .verifyFull:
            return .require(.makeClientConfiguration())
        }
    }

    /// As in libpq, `prefer` and `require` encrypt without checking the certificate; servers with
    /// self-signed certificates (Debian's default) must keep working. Use verify-full to authenticate the server.
    private static var encryptOnly: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
