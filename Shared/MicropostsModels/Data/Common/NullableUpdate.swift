public import RPC

/// A partial update of an optional field: leave it as it is, clear it, or set it.
///
/// A message rather than an enum with an associated value: the wire format carries enums
/// as bare numbers.
public struct NullableUpdate<Value: WireValue & Hashable>: WireMessage, Hashable {
    /// False: keep the stored value and ignore `value`.
    public var isChanged: Bool
    /// The new value when `isChanged`; nil clears the field.
    public var value: Value?

    public init(isChanged: Bool, value: Value?) {
        self.isChanged = isChanged
        self.value = isChanged ? value : nil
    }

    public init() { self.init(isChanged: false, value: nil) }

    public mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "isChanged", &isChanged)
        try fields.field(2, "value", &value)
    }

    public static var keep: NullableUpdate { NullableUpdate(isChanged: false, value: nil) }
    public static var clear: NullableUpdate { NullableUpdate(isChanged: true, value: nil) }
    public static func set(_ value: Value) -> NullableUpdate { NullableUpdate(isChanged: true, value: value) }
}
