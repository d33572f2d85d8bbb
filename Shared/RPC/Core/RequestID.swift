/// The `X-Request-ID` rule, the same at every hop (edge, app server, RPC metadata): a caller's
/// id is kept when it is safe to copy into logs, headers and RPC metadata; anything else is
/// replaced, so a hostile value never reaches a log line.
public enum RequestID {
    /// The HTTP header that carries it; in RPC metadata it is ``RPCMetadata/requestID``.
    public static let headerName = "X-Request-ID"
    public static let maximumLength = 128

    /// 1–128 characters of `[A-Za-z0-9._-]`.
    public static func isWellFormed(_ value: some StringProtocol) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// The client's id when well-formed, else a fresh one.
    public static func resolve(_ incoming: String?) -> String {
        var generator = SystemRandomNumberGenerator()
        return resolve(incoming, using: &generator)
    }

    public static func resolve(_ incoming: String?, using generator: inout some RandomNumberGenerator) -> String {
        if let incoming, isWellFormed(incoming) { return incoming }
        return generate(using: &generator)
    }

    /// 128 random bits as 32 lowercase hex digits: unique enough to grep for across services.
    public static func generate(using generator: inout some RandomNumberGenerator) -> String {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        // Written straight into the string's storage: this runs for every request.
        return String(unsafeUninitializedCapacity: 32) { digits in
            HexDigits.write(high, into: digits, at: 0)
            HexDigits.write(low, into: digits, at: 16)
            return 32
        }
    }

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }
}
