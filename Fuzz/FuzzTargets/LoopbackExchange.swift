import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking client for one connection on 127.0.0.1: sends every byte (reading meanwhile,
/// so a server that answers while the client still writes never deadlocks it), then closes
/// its sending side and reads until the server closes or the deadline passes.
struct LoopbackExchange {
    struct Outcome {
        var response: [UInt8] = []
        /// The server closed (or reset) the connection before the deadline.
        var closedByServer = false
    }

    /// Kept beyond this, response bytes are read and dropped.
    static let maximumKeptResponseBytes = 4 << 20

    static func run(_ request: UnsafeRawBufferPointer, port: Int, timeoutMilliseconds: Int) -> Outcome {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { fatalError("socket: errno \(errno)") }
        defer {
            // An abortive close: no TIME_WAIT, so a long run never runs out of local ports.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(fd)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0, errno == EINTR {
            // libFuzzer's -timeout runs on SIGALRM, which can interrupt a blocking connect; the
            // attempt then goes on in the background: wait for it and read how it ended.
            connected = Self.finishInterruptedConnect(fd)
        }
        guard connected == 0 else { fatalError("connect to the edge under test: errno \(errno)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var outcome = Outcome()
        var written = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = now() + timeoutMilliseconds
        if request.isEmpty { shutdown(fd, Int32(SHUT_WR)) }
        while true {
            let remaining = deadline - now()
            guard remaining > 0 else { return outcome }
            var events = Int16(POLLIN)
            if written < request.count { events |= Int16(POLLOUT) }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            guard poll(&poller, 1, Int32(remaining)) >= 0 else {
                if errno == EINTR { continue }
                fatalError("poll: errno \(errno)")
            }
            if poller.revents & Int16(POLLOUT) != 0, written < request.count, let base = request.baseAddress {
                let sent = send(fd, base + written, request.count - written, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    written += sent
                    if written == request.count { shutdown(fd, Int32(SHUT_WR)) }
                } else if sent < 0 && errno != EAGAIN && errno != EINTR {
                    // The server closed while the client was still sending (it refused the
                    // request): what it answered is still readable.
                    written = request.count
                }
            }
            if poller.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    let keep = min(count, maximumKeptResponseBytes - outcome.response.count)
                    if keep > 0 { outcome.response.append(contentsOf: chunk[0..<keep]) }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    outcome.closedByServer = true
                    return outcome
                }
            }
        }
    }

    /// Waits for the connection attempt on `fd` to end; 0 once connected, else -1 with `errno` set.
    private static func finishInterruptedConnect(_ fd: Int32) -> Int32 {
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while poll(&poller, 1, 5_000) < 0 {
            guard errno == EINTR else { return -1 }
        }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 else { return -1 }
        guard failure == 0, poller.revents & Int16(POLLOUT) != 0 else {
            errno = failure == 0 ? ETIMEDOUT : failure
            return -1
        }
        return 0
    }

    /// Monotonic milliseconds (`CLOCK_MONOTONIC` on Linux). Not `clock_gettime` on a `timespec`:
    /// with MemberImportVisibility the struct's members count as CNIOLinux's, a module this
    /// target cannot declare.
    private static func now() -> Int {
        Int(DispatchTime.now().uptimeNanoseconds / 1_000_000)
    }
}
