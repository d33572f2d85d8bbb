/// The outcome of a call, in the spirit of gRPC's status codes (the numbers are ours).
public enum RPCStatusCode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case invalidArgument = 1
    case notFound = 2
    case alreadyExists = 3
    case permissionDenied = 4
    case unauthenticated = 5
    case failedPrecondition = 6
    case resourceExhausted = 7
    case deadlineExceeded = 8
    case unavailable = 9
    case cancelled = 10
    case unimplemented = 11
    case `internal` = 12

    public var description: String {
        switch self {
        case .ok: "ok"
        case .invalidArgument: "invalidArgument"
        case .notFound: "notFound"
        case .alreadyExists: "alreadyExists"
        case .permissionDenied: "permissionDenied"
        case .unauthenticated: "unauthenticated"
        case .failedPrecondition: "failedPrecondition"
        case .resourceExhausted: "resourceExhausted"
        case .deadlineExceeded: "deadlineExceeded"
        case .unavailable: "unavailable"
        case .cancelled: "cancelled"
        case .unimplemented: "unimplemented"
        case .internal: "internal"
        }
    }
}
