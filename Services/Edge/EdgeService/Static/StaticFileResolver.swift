import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds and opens files in the static folder. Every call blocks on the file system, so it
/// runs on the I/O thread pool, never on an event loop.
///
/// Containment is decided on real paths: the folder's own real path is taken once, each
/// candidate is resolved with `realpath(3)` (following every symbolic link) and must lie
/// inside it, and the file is then opened with `O_NOFOLLOW`.
struct StaticFileResolver: Sendable {
    /// The folder's real path, or nil when it does not exist (everything is then 404).
    let root: String?
    let listingEnabled: Bool
    let gzipEnabled: Bool

    init(folder: String, listingEnabled: Bool, gzipEnabled: Bool) {
        self.root = Self.realPath(folder)
        self.listingEnabled = listingEnabled
        self.gzipEnabled = gzipEnabled
    }

    func lookup(_ path: StaticPath, acceptsGzip: Bool) -> StaticLookup {
        guard let root else { return .notFound }
        let candidate = path.relativePath.isEmpty ? root : root + "/" + path.relativePath
        guard let real = Self.realPath(candidate) else { return .notFound }
        guard isInside(real) else { return .forbidden }
        var info = stat()
        guard stat(real, &info) == 0 else { return .notFound }

        if Self.isDirectory(info) {
            let index = real + "/index.html"
            let hasIndex = containedRealPath(index) != nil
            guard hasIndex || listingEnabled else { return .forbidden }
            guard path.isDirectory else { return .redirectToDirectory }
            if hasIndex, let file = open(candidate: index, real: nil, name: "index.html", acceptsGzip: acceptsGzip) { return .file(file) }
            guard listingEnabled, let html = DirectoryListing.render(directory: real, title: "/" + path.relativePath) else {
                return .forbidden
            }
            return .listing(html: html)
        }
        guard Self.isRegular(info) else { return .forbidden }
        let name = path.lastSegment.map(String.init) ?? "index.html"
        return open(candidate: candidate, real: real, name: name, acceptsGzip: acceptsGzip).map(StaticLookup.file) ?? .notFound
    }

    /// Like ``lookup(_:acceptsGzip:)``, but a regular file of at most `maximumSize` bytes is
    /// read whole and closed, for the in-memory cache.
    func lookup(_ path: StaticPath, acceptsGzip: Bool, readingUpTo maximumSize: Int) -> StaticLookup {
        let found = lookup(path, acceptsGzip: acceptsGzip)
        guard case .file(let file) = found, file.info.size <= maximumSize else { return found }
        defer { try? file.handle.close() }
        var buffer = ByteBufferAllocator().buffer(capacity: file.info.size)
        let complete: Bool? = try? file.handle.withUnsafeFileDescriptor { descriptor in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: file.info.size) { target in
                guard let base = target.baseAddress else { return 0 }
                var offset = 0
                while offset < file.info.size {
                    let count = pread(descriptor, base + offset, file.info.size - offset, off_t(offset))
                    if count > 0 {
                        offset += count
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                return offset
            } == file.info.size
        }
        // A file that shrank while being read is served from its descriptor instead.
        guard complete == true else { return lookup(path, acceptsGzip: acceptsGzip) }
        return .contents(file.info, buffer)
    }

    // MARK: - Private

    /// - Parameter real: The candidate's real path when already resolved and checked.
    private func open(candidate: String, real: String?, name: String, acceptsGzip: Bool) -> StaticFile? {
        guard let real = real ?? containedRealPath(candidate) else { return nil }
        let sibling = gzipEnabled ? containedRealPath(candidate + ".gz") : nil
        if acceptsGzip, let sibling, let opened = Self.openRegular(sibling) {
            return StaticFile(
                handle: opened.handle,
                info: StaticFileInfo(
                    size: opened.size, validators: Validators(modified: opened.modified, size: opened.size),
                    contentType: ContentType.forFile(named: name), contentEncoding: "gzip", hasEncodedVariant: true))
        }
        guard let opened = Self.openRegular(real) else { return nil }
        return StaticFile(
            handle: opened.handle,
            info: StaticFileInfo(
                size: opened.size, validators: Validators(modified: opened.modified, size: opened.size),
                contentType: ContentType.forFile(named: name), contentEncoding: nil, hasEncodedVariant: sibling != nil))
    }

    private func containedRealPath(_ path: String) -> String? {
        guard let real = Self.realPath(path), isInside(real) else { return nil }
        return real
    }

    private func isInside(_ real: String) -> Bool {
        guard let root else { return false }
        return real == root || real.hasPrefix(root == "/" ? "/" : root + "/")
    }

    private static func openRegular(_ path: String) -> (handle: NIOFileHandle, size: Int, modified: Int)? {
        let descriptor = openNoFollow(path)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, isRegular(info) else {
            close(descriptor)
            return nil
        }
        return (NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor), Int(info.st_size), modificationTime(info))
    }

    private static func openNoFollow(_ path: String) -> CInt {
        // O_NOFOLLOW: the path was just resolved, so a link appearing now is a swap in progress.
        #if canImport(Darwin)
            return Darwin.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        #else
            return Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        #endif
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }
    private static func isRegular(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFREG }

    private static func modificationTime(_ info: stat) -> Int {
        #if canImport(Darwin)
            Int(info.st_mtimespec.tv_sec)
        #else
            Int(info.st_mtim.tv_sec)
        #endif
    }
}
