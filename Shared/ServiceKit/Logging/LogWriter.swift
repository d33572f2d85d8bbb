import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where finished log lines go. Each call receives exactly one complete line, newline included.
public struct LogWriter: Sendable {
    private let writeLine: @Sendable ([UInt8]) -> Void

    public init(_ writeLine: @escaping @Sendable ([UInt8]) -> Void) {
        self.writeLine = writeLine
    }

    public func write(_ line: [UInt8]) {
        writeLine(line)
    }

    /// Unbuffered stdout. A line goes out in one `write(2)` call under a process-wide lock,
    /// so lines from different threads never interleave, and nothing sits in a stdio buffer
    /// when the process is killed.
    public static let standardOutput = LogWriter { line in
        StandardOutput.lock.withLockedValue { _ in
            line.withUnsafeBytes { writeFully(STDOUT_FILENO, $0) }
        }
    }
}

/// Loops over partial writes and EINTR; gives up on any other error because a logger whose
/// stdout is gone (closed pipe, full disk) has nowhere left to report that.
private func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let written = write(descriptor, base + offset, bytes.count - offset)
        if written > 0 {
            offset += written
        } else if written < 0 && errno == EINTR {
            continue
        } else {
            return
        }
    }
}

private enum StandardOutput {
    static let lock = NIOLockedValueBox(())
}
