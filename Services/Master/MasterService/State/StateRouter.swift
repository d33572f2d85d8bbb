import Foundation
import Hummingbird

/// The master's state listener: `GET /instances` answers the JSON of ``MasterSnapshot``,
/// `GET /instances.txt` the same as a text table.
///
/// It is a listener of its own (`--state-port`) because ServiceKit's admin listener has a
/// fixed set of routes.
enum StateRouter {
    static func makeRouter(board: StateBoard) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("instances") { _, _ in
            // Snapshot fields are plain strings, numbers and dates: encoding cannot fail in
            // practice, and the fallback keeps the endpoint total.
            let body = (try? encoder.encode(board.snapshot)) ?? Data(#"{"error":"encoding failed"}"#.utf8)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("instances.txt") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: StateTable.render(board.snapshot))))
        }
        return router
    }

    /// A new encoder per request: JSONEncoder is not Sendable, and this endpoint is not hot.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
