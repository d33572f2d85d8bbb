package import Foundation

/// Runs inputs through a fuzz target without libFuzzer: each path is a file, or a folder
/// whose files are all run. The corpus replay tests and the plain builds of the fuzzers use it.
package enum FuzzReplay {
    package struct NoInputs: Error, CustomStringConvertible {
        package var description: String { "usage: <fuzzer> FILE-OR-FOLDER…" }
    }

    /// The files named, or found one level inside the folders named, in a stable order.
    package static func inputs(_ paths: some Sequence<String>) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
                files += names.map { url.appendingPathComponent($0) }
            } else {
                files.append(url)
            }
        }
        return files
    }

    package static func run(_ paths: some Sequence<String>, _ target: (UnsafeRawBufferPointer) -> Void) throws {
        let files = try inputs(paths)
        guard !files.isEmpty else { throw NoInputs() }
        for file in files {
            let bytes = try Data(contentsOf: file)
            bytes.withUnsafeBytes { target($0) }
        }
        print("\(files.count) inputs replayed")
    }
}
