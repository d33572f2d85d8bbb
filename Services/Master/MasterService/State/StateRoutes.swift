import Foundation
import ServiceKit

/// The master's state on its admin listener: `GET /instances` answers the JSON of
/// ``MasterSnapshot``, `GET /instances.txt` the same as a text table.
enum StateRoutes {
    static func register(on routes: AdminRoutes, board: StateBoard) {
        routes.get("instances") {
            // Snapshot fields are plain strings, numbers and dates: encoding cannot fail in
            // practice, and the fallback keeps the endpoint total.
            let body = (try? encoder.encode(board.snapshot)) ?? Data(#"{"error":"encoding failed"}"#.utf8)
            return AdminRoutes.Reply(contentType: "application/json", body: Array(body))
        }
        routes.get("instances.txt") {
            AdminRoutes.Reply(contentType: "text/plain; charset=utf-8", body: Array(StateTable.render(board.snapshot).utf8))
        }
    }

    /// A new encoder per request: JSONEncoder is not Sendable, and this endpoint is not hot.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
