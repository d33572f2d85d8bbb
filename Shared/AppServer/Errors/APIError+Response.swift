import AppServerProtocol
public import Hummingbird

extension APIError {
    /// The error as the client gets it: its status and headers, and an ``ErrorBody``.
    public func response() -> Response {
        var response = JSONResponse.make(status: status, encoded: ErrorBody(code: code, message: message).encoded())
        response.headers.append(contentsOf: headers)
        return response
    }
}
