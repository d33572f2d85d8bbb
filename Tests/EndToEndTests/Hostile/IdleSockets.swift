import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Many plain TCP connections that connect and then say nothing: the cheapest way to hold
/// thousands of a server's connections open. Non-blocking connects in batches keep the
/// server's accept queue from overflowing (which would stall a connect for a SYN retry).
enum IdleSockets {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Raises this process's soft descriptor limit to at least `needed` (processes started
    /// afterwards inherit it). Returns the limit now in force.
    static func raiseDescriptorLimit(to needed: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < rlim_t(needed) {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(needed))
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Opens `count` connections to 127.0.0.1:`port` on a thread of its own (blocking the
    /// cooperative pool for seconds would stall the rest of the test) and returns their descriptors.
    ///
    /// - Parameter accepted: How many connections the server holds (e.g. its open descriptors):
    ///   a batch is sent only once the server has taken most of the previous one, so its accept
    ///   queue never overflows (a dropped SYN costs a second).
    static func open(
        count: Int, port: Int, batch: Int = 500, timeout: Duration = .seconds(20), accepted: @escaping @Sendable () -> Int
    ) async throws -> [Int32] {
        let result: Result<[Int32], Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: openBlocking(count: count, port: port, batch: batch, timeout: timeout, accepted: accepted))
            }
            thread.start()
        }
        return try result.get()
    }

    static func closeAll(_ descriptors: [Int32]) {
        for descriptor in Set(descriptors) { _ = close(descriptor) }
    }

    private static func openBlocking(
        count: Int, port: Int, batch: Int, timeout: Duration, accepted: @Sendable () -> Int
    ) -> Result<[Int32], Failure> {
        let acceptedBefore = accepted()
        var opened: [Int32] = []
        opened.reserveCapacity(count)
        let until = ContinuousClock.now + timeout
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        while opened.count < count {
            var pending: [pollfd] = []
            for _ in 0..<min(batch, count - opened.count) {
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                guard descriptor >= 0 else {
                    closeAll(opened + pending.map(\.fd))
                    return .failure(Failure(description: "socket() failed after \(opened.count + pending.count) sockets: errno \(errno)"))
                }
                let status = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard status == 0 || errno == EINPROGRESS else {
                    let error = errno
                    closeAll(opened + pending.map(\.fd) + [descriptor])
                    return .failure(Failure(description: "connect() failed after \(opened.count + pending.count) sockets: errno \(error)"))
                }
                pending.append(pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0))
            }
            // Wait until every socket of the batch is connected (writable) or failed.
            var waiting = pending
            while !waiting.isEmpty {
                guard ContinuousClock.now < until else {
                    closeAll(opened + pending.map(\.fd))
                    return .failure(Failure(description: "only \(opened.count) of \(count) connections were established in time"))
                }
                let ready = poll(&waiting, nfds_t(waiting.count), 100)
                if ready <= 0 { continue }
                var stillWaiting: [pollfd] = []
                for entry in waiting {
                    guard entry.revents != 0 else {
                        stillWaiting.append(pollfd(fd: entry.fd, events: entry.events, revents: 0))
                        continue
                    }
                    var socketError: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
                    guard socketError == 0 else {
                        closeAll(opened + pending.map(\.fd))
                        return .failure(Failure(description: "a connection failed after \(opened.count) were open: errno \(socketError)"))
                    }
                    opened.append(entry.fd)
                }
                waiting = stillWaiting
            }
            while accepted() - acceptedBefore < opened.count - batch / 2, ContinuousClock.now < until {
                usleep(2000)
            }
        }
        return .success(opened)
    }
}
