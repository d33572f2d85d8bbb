import Foundation

/// `{{name}}` in a service's arguments or environment values stands for every address of the
/// instances of service `name`, the value a peer flag gets; it makes `name` a peer too (started
/// first). For flags that hold more than a target, such as the edge's
/// `--routes "/shop/={{shop}} /blog/={{blog}}"`.
enum PeerPlaceholder {
    /// The service names referred to, in order of appearance.
    static func references(in text: String) -> [ServiceName] {
        var names: [ServiceName] = []
        _ = expand(text) { name in
            names.append(name)
            return nil
        }
        return names
    }

    /// Replaces each `{{name}}` for which `target` gives a value; others stay as written.
    static func expand(_ text: String, target: (ServiceName) -> String?) -> String {
        guard text.contains("{{") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                result += rest[open.lowerBound...]
                return result
            }
            let name = ServiceName(String(after[..<close.lowerBound]))
            result += target(name) ?? String(rest[open.lowerBound..<close.upperBound])
            rest = after[close.upperBound...]
        }
        return result + rest
    }
}
