#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON shape of a payload type, as `rpc call` reads and writes it: what `rpc describe`
/// prints. Learned by decoding the type once from a decoder that records what it is asked for,
/// so any `Decodable` type describes itself without a schema written by hand.
public indirect enum PayloadShape: Sendable, Equatable {
    /// A JSON scalar, named by its Swift meaning: `string`, `int64`, `bool`, `date-time`, or
    /// `"a" | "b"` for an enumeration.
    case scalar(String)
    case optional(PayloadShape)
    case array(PayloadShape)
    case object([Field])
    /// A type nested deeper than the description goes (a recursive type).
    case elided

    public struct Field: Sendable, Equatable {
        public var name: String
        public var shape: PayloadShape
    }

    /// The shape of `type`; `.scalar("unknown")` when the type refuses to decode from neutral
    /// values (a custom decoder that validates).
    public static func of<T: Decodable>(_ type: T.Type) -> PayloadShape {
        (try? ShapeRecorder.produce(type, depth: 0).shape) ?? .scalar("unknown")
    }

    /// Pseudo-JSON: scalars by type name, `| null` for optional values.
    public func rendered(indent: Int = 0) -> String {
        switch self {
        case .scalar(let name):
            return name
        case .optional(let wrapped):
            return wrapped.rendered(indent: indent) + " | null"
        case .array(let element):
            return "[" + element.rendered(indent: indent) + "]"
        case .elided:
            return "…"
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            let pad = String(repeating: " ", count: indent + 2)
            let lines = fields.map { "\(pad)\"\($0.name)\": \($0.shape.rendered(indent: indent + 2))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
        }
    }
}

private struct ShapeUnavailable: Error {}

/// Decodes a value of any type from neutral values (empty strings, zeros, the first case of an
/// enumeration, one element per array, `nil` for optionals), writing down each request.
private final class ShapeRecorder: Decoder {
    static let maximumDepth = 12

    enum Recorded {
        case nothing
        case object(FieldList)
        case array(ElementSlot)
        case single(PayloadShape)
    }

    final class FieldList {
        var fields: [PayloadShape.Field] = []
    }

    final class ElementSlot {
        var element: PayloadShape?
    }

    let depth: Int
    var recorded = Recorded.nothing
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(depth: Int) {
        self.depth = depth
    }

    var shape: PayloadShape {
        switch recorded {
        case .nothing: .object([])
        case .object(let list): .object(list.fields)
        case .array(let slot): .array(slot.element ?? .elided)
        case .single(let shape): shape
        }
    }

    /// A neutral value of `type` and its shape.
    static func produce<T: Decodable>(_ type: T.Type, depth: Int) throws -> (value: T, shape: PayloadShape) {
        if let scalar = neutralScalar(type) { return scalar }
        if let enumeration = type as? any CaseIterable.Type {
            let cases = allCases(of: enumeration)
            guard let value = cases.first as? T else { throw ShapeUnavailable() }
            let names = cases.map { value -> String in
                if let raw = (value as? any RawRepresentable)?.rawValue { return raw is String ? "\"\(raw)\"" : "\(raw)" }
                return "\"\(value)\""
            }
            return (value, .scalar(names.joined(separator: " | ")))
        }
        let decoder = ShapeRecorder(depth: depth + 1)
        let value = try T(from: decoder)
        return (value, decoder.shape)
    }

    private static func allCases<C: CaseIterable>(of type: C.Type) -> [Any] {
        type.allCases.map { $0 }
    }

    /// The shape of `type` alone, for optionals, which decode as `nil` and produce no value.
    static func shape<T: Decodable>(of type: T.Type, depth: Int) -> PayloadShape {
        guard depth < maximumDepth else { return .elided }
        return (try? produce(type, depth: depth).shape) ?? .scalar("unknown")
    }

    private static func neutralScalar<T>(_ type: T.Type) -> (value: T, shape: PayloadShape)? {
        func make(_ value: Any, _ name: String) -> (value: T, shape: PayloadShape)? {
            (value as? T).map { ($0, .scalar(name)) }
        }
        switch type {
        case is String.Type: return make("", "string")
        case is Bool.Type: return make(false, "bool")
        case is Int.Type: return make(0 as Int, "int")
        case is Int8.Type: return make(0 as Int8, "int8")
        case is Int16.Type: return make(0 as Int16, "int16")
        case is Int32.Type: return make(0 as Int32, "int32")
        case is Int64.Type: return make(0 as Int64, "int64")
        case is UInt.Type: return make(0 as UInt, "uint")
        case is UInt8.Type: return make(0 as UInt8, "uint8")
        case is UInt16.Type: return make(0 as UInt16, "uint16")
        case is UInt32.Type: return make(0 as UInt32, "uint32")
        case is UInt64.Type: return make(0 as UInt64, "uint64")
        case is Double.Type: return make(0 as Double, "double")
        case is Float.Type: return make(0 as Float, "float")
        case is Date.Type: return make(Date(timeIntervalSince1970: 0), "date-time")
        case is Data.Type: return make(Data(), "bytes")
        default: return nil
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let list = FieldList()
        recorded = .object(list)
        return KeyedDecodingContainer(KeyedRecorder<Key>(list: list, depth: depth))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let slot = ElementSlot()
        recorded = .array(slot)
        return UnkeyedRecorder(slot: slot, depth: depth)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleRecorder(decoder: self)
    }

    private struct KeyedRecorder<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let list: FieldList
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(type, key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(type, key) }

        private func value<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            let (value, shape) = try ShapeRecorder.produce(type, depth: depth)
            list.fields.append(.init(name: key.stringValue, shape: shape))
            return value
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            list.fields.append(.init(name: key.stringValue, shape: .optional(ShapeRecorder.shape(of: type, depth: depth))))
            return nil
        }

        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }

        private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
            try decodeIfPresent(type, forKey: key)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<
            NestedKey
        > {
            let nested = FieldList()
            list.fields.append(.init(name: key.stringValue, shape: .elided))
            return KeyedDecodingContainer(KeyedRecorder<NestedKey>(list: nested, depth: depth + 1))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            list.fields.append(.init(name: key.stringValue, shape: .array(.elided)))
            return UnkeyedRecorder(slot: ElementSlot(), depth: depth + 1)
        }

        func superDecoder() throws -> any Decoder { ShapeRecorder(depth: depth + 1) }
        func superDecoder(forKey key: Key) throws -> any Decoder { ShapeRecorder(depth: depth + 1) }
    }

    private struct UnkeyedRecorder: UnkeyedDecodingContainer {
        let slot: ElementSlot
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var count: Int? { isAtEnd ? 0 : 1 }
        var isAtEnd: Bool { slot.element != nil || depth >= ShapeRecorder.maximumDepth }
        var currentIndex: Int { slot.element == nil ? 0 : 1 }

        mutating func decodeNil() throws -> Bool { false }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try value(type) }
        mutating func decode(_ type: String.Type) throws -> String { try value(type) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try value(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try value(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try value(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try value(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try value(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try value(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try value(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try value(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try value(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try value(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try value(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try value(type) }

        private func value<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, shape) = try ShapeRecorder.produce(type, depth: depth)
            slot.element = shape
            return value
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let nested = FieldList()
            slot.element = .elided
            return KeyedDecodingContainer(KeyedRecorder<NestedKey>(list: nested, depth: depth + 1))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            slot.element = .array(.elided)
            return UnkeyedRecorder(slot: ElementSlot(), depth: depth + 1)
        }

        mutating func superDecoder() throws -> any Decoder { ShapeRecorder(depth: depth + 1) }
    }

    private struct SingleRecorder: SingleValueDecodingContainer {
        let decoder: ShapeRecorder
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try value(type) }
        func decode(_ type: String.Type) throws -> String { try value(type) }
        func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
        func decode(_ type: Int.Type) throws -> Int { try value(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try value(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try value(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try value(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try value(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try value(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try value(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try value(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try value(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try value(type) }
        func decode(_ type: Double.Type) throws -> Double { try value(type) }
        func decode(_ type: Float.Type) throws -> Float { try value(type) }

        private func value<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, shape) = try ShapeRecorder.produce(type, depth: decoder.depth)
            decoder.recorded = .single(shape)
            return value
        }
    }
}
