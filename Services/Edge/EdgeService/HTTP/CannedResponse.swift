import AppServerProtocol
import NIOCore
import NIOHTTP1

/// A complete response held in memory: errors, rejections, maintenance pages.
struct CannedResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: ByteBuffer

    /// The JSON error shape, `{"error": code, "message": message}`.
    static func error(
        _ status: HTTPResponseStatus, _ code: String, _ message: String, headers: [(String, String)] = []
    ) -> CannedResponse {
        error(status, ErrorBody(code: code, message: message), headers: headers)
    }

    static func error(_ status: HTTPResponseStatus, _ body: ErrorBody, headers: [(String, String)] = []) -> CannedResponse {
        CannedResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body.encoded())
    }
}
