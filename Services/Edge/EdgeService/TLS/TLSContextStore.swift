import NIOConcurrencyHelpers
import NIOSSL

/// The public listener's TLS context (`--tls-certificate`, `--tls-key`), read at start and again
/// on each ``reload()``. Each new connection takes the context current at its accept; one that
/// is open keeps the context it began with, so a reload drops no connection.
package final class TLSContextStore: Sendable {
    /// What ALPN offers, preferred first: HTTP/2 for clients that speak it.
    static let applicationProtocols = ["h2", "http/1.1"]

    let certificatePath: String
    let keyPath: String
    private let context: NIOLockedValueBox<NIOSSLContext>

    /// - Throws: ``TLSCredentialsError`` when either file cannot be read or they do not fit.
    package init(certificatePath: String, keyPath: String) throws(TLSCredentialsError) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        context = NIOLockedValueBox(try Self.makeContext(certificatePath: certificatePath, keyPath: keyPath))
    }

    var current: NIOSSLContext {
        context.withLockedValue { $0 }
    }

    /// Re-reads both files. On failure the context in use stays.
    package func reload() throws(TLSCredentialsError) {
        let fresh = try Self.makeContext(certificatePath: certificatePath, keyPath: keyPath)
        context.withLockedValue { $0 = fresh }
    }

    private static func makeContext(certificatePath: String, keyPath: String) throws(TLSCredentialsError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw .certificate(path: certificatePath, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw .certificate(path: certificatePath, reason: "no PEM certificate in it") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw .key(path: keyPath, reason: "\(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // nginx's default `ssl_protocols TLSv1.2 TLSv1.3`: older versions are broken.
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.applicationProtocols = applicationProtocols
        do {
            // BoringSSL checks here that the key belongs to the certificate.
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .mismatch(reason: "\(error)")
        }
    }
}

/// Why the certificate or key could not be used; one line naming the file.
package enum TLSCredentialsError: Error, CustomStringConvertible {
    case certificate(path: String, reason: String)
    case key(path: String, reason: String)
    case mismatch(reason: String)

    package var description: String {
        switch self {
        case .certificate(let path, let reason): "cannot use the certificate file \(path): \(reason)"
        case .key(let path, let reason): "cannot use the private key file \(path): \(reason)"
        case .mismatch(let reason): "the certificate and key cannot be used together: \(reason)"
        }
    }
}
