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

    static let stampKeys: Set<URLResourceKey> = [.isRegularFileKey, .contentModificationDateKey, .fileSizeKey]

    /// Through Foundation rather than `stat`: the C struct has more than one definition among
    /// the modules a build loads, and MemberImportVisibility refuses its fields in release builds.
    private static func stamp(_ path: String) -> SourceFingerprint.Stamp? {
        guard let values = try? URL(fileURLWithPath: path).resourceValues(forKeys: stampKeys), values.isRegularFile == true,
            let modified = values.contentModificationDate, let size = values.fileSize
        else { return nil }
        return SourceFingerprint.Stamp(modifiedNanoseconds: Int64(modified.timeIntervalSince1970 * 1e9), size: Int64(size))
    }
}
