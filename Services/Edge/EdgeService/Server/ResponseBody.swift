import NIOCore

/// The body of a response as it is written: nothing, bytes, or a file region for sendfile.
enum ResponseBody {
    case empty
    case bytes(ByteBuffer)
    /// The handle is closed once the region has been written (or was never needed).
    case file(FileRegion, NIOFileHandle)

    var count: Int {
        switch self {
        case .empty: 0
        case .bytes(let buffer): buffer.readableBytes
        case .file(let region, _): region.readableBytes
        }
    }

    func release() {
        if case .file(_, let handle) = self { try? handle.close() }
    }
}
