import Hummingbird

/// `{"error": "not_found", "message": "No user named ana."}`
struct ErrorBody: Encodable, Sendable {
    var error: String
    var message: String
}

extension APIError {
    func response() -> Response {
        var response = JSONResponse.make(status: status, body: ErrorBody(error: code, message: message))
        response.headers.append(contentsOf: headers)
        return response
    }
}
