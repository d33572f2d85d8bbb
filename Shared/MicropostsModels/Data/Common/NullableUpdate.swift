/// A partial update of an optional field: leave it as it is, clear it, or set it.
///
/// Spelled as a struct rather than an enum with an associated value because the binary
/// payload codec is positional and does not encode such enums.
public struct NullableUpdate<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    /// False: keep the stored value and ignore `value`.
    public var isChanged: Bool
    /// The new value when `isChanged`; nil clears the field.
    public var value: Value?

    public init(isChanged: Bool, value: Value?) {
        self.isChanged = isChanged
        self.value = isChanged ? value : nil
    }

    public static var keep: NullableUpdate { NullableUpdate(isChanged: false, value: nil) }
    public static var clear: NullableUpdate { NullableUpdate(isChanged: true, value: nil) }
    public static func set(_ value: Value) -> NullableUpdate { NullableUpdate(isChanged: true, value: value) }
}
