import Foundation

/// Reads the modification times and sizes of the files under a source path.
enum SourceScanner {
    /// Every regular file at or under `path`, skipping hidden files and folders (`.build`,
    /// `.git`, editors' swap files). A missing path scans as empty: deleting a folder is a change.
    static func scan(_ path: String) -> SourceFingerprint {
        var files: [String: SourceFingerprint.Stamp] = [:]
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return SourceFingerprint() }
        guard isFolder.boolValue else {
            if let stamp = stamp(path) { files[path] = stamp }
            return SourceFingerprint(files: files)
        }
        let walk = FileManager.default.enumerator(
            at: URL(fileURLWithPath: path), includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        while let url = walk?.nextObject() as? URL {
            if let stamp = stamp(url.path) { files[url.path] = stamp }
        }
        return SourceFingerprint(files: files)
    }

    private static func stamp(_ path: String) -> SourceFingerprint.Stamp? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return SourceFingerprint.Stamp(modifiedNanoseconds: nanoseconds, size: Int64(info.st_size))
    }
}
