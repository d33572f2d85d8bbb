extension WireSchema {
    /// The message as `rpc call` reads and writes it, in pseudo-JSON: scalars by type name,
    /// `| null` for optional fields, `[…]` for repeated ones, `"a" | "b"` for an enumeration.
    /// What `rpc describe` prints.
    public func renderedShape() -> String {
        render(root, indent: 0, enclosing: [])
    }

    private func render(_ type: WireValueType, indent: Int, enclosing: Set<String>) -> String {
        switch type {
        case .timestamp:
            return "date-time"
        case .enumeration(let name):
            return enums[name].map { $0.cases.map { "\"\($0.name)\"" }.joined(separator: " | ") } ?? name
        case .message(let name):
            guard let message = messages[name], !enclosing.contains(name) else { return "…" }
            guard !message.fields.isEmpty else { return "{}" }
            let pad = String(repeating: " ", count: indent + 2)
            let lines = message.fields.map { field in
                let shape = render(field.type, indent: indent + 2, enclosing: enclosing.union([name]))
                let rendered =
                    switch field.presence {
                    case .required, .defaulted: shape
                    case .optional: shape + " | null"
                    case .repeated: "[" + shape + "]"
                    }
                return "\(pad)\"\(field.name)\": \(rendered)"
            }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
        default:
            return type.description
        }
    }
}
