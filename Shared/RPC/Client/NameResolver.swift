public import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a host name into the addresses to connect to. A protocol so tests can stand in for
/// DNS and make addresses appear and disappear.
public protocol NameResolver: Sendable {
    func resolve(host: String, port: Int) async throws -> [SocketAddress]
}

public struct NameResolutionError: Error, Sendable, CustomStringConvertible {
    public var host: String
    public var reason: String
    public var description: String { "cannot resolve \(host): \(reason)" }
}

/// The system resolver (`getaddrinfo`, so /etc/hosts and Docker's embedded DNS both work),
/// run on NIO's blocking-I/O thread pool because it blocks. Returns every address.
public struct SystemNameResolver: NameResolver {
    public init() {}

    public func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: host, port: port) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive {
            try Self.lookUp(host: host, port: port)
        }
    }

    private static func lookUp(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0 else {
            throw NameResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor = result
        while let info = cursor?.pointee {
            cursor = info.ai_next
            guard let sockaddr = info.ai_addr else { continue }
            switch info.ai_family {
            case AF_INET:
                let address = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
                if !addresses.contains(address) { addresses.append(address) }
            case AF_INET6:
                let address = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
                if !addresses.contains(address) { addresses.append(address) }
            default:
                continue
            }
        }
        return addresses
    }
}
