#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Request ids as this worker accepts them from callers, or makes up when none came.
enum RequestID {
    /// The caller's id when it is a sane token (printable ASCII, at most 200 characters);
    /// anything else would let a client inject arbitrary text into our logs.
    static func accept(_ candidate: String?) -> String {
        if let candidate, !candidate.isEmpty, candidate.utf8.count <= 200,
            candidate.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            return candidate
        }
        return UUID().uuidString.lowercased()
    }
}
