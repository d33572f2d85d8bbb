import AppServerProtocol
import Hummingbird

extension APIError {
    func response() -> Response {
        var response = JSONResponse.make(status: status, body: ErrorBody(code: code, message: message))
        response.headers.append(contentsOf: headers)
        return response
    }
}
