import Hummingbird
import Logging

/// Turns whatever a route throws into the API's JSON error body, so no error ever reaches a
/// client in Hummingbird's default shape. Also decides 404 against 405 for requests the router
/// did not match, because only the route table knows which methods a path supports.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let templates: [RouteTemplate]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as HTTPError {
            return translate(error, request: request, context: context).response()
        } catch is CancellationError {
            // The caller gave up (deadline or disconnect); nobody reads this answer.
            return APIError.timeout("The request was cancelled before it completed.").response()
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return APIError.internal.response()
        }
    }

    /// The methods some route offers for a request path; empty when no route has the path.
    func methods(forPath path: String) -> [HTTPRequest.Method] {
        templates.filter { $0.matches(path: path) }.map(\.method)
    }

    /// Hummingbird's own errors: an unmatched route, or a body beyond the upload limit.
    private func translate(_ error: HTTPError, request: Request, context: Context) -> APIError {
        switch error.status {
        case .notFound:
            let allowed = methods(forPath: request.uri.path)
            if allowed.isEmpty {
                return .notFound("No resource at \(request.uri.path).")
            }
            return .methodNotAllowed(allowed: allowed)
        case .contentTooLarge:
            return .contentTooLarge(limit: context.maxUploadSize)
        default:
            if error.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
                return .internal
            }
            return APIError(status: error.status, code: "invalid_request", message: error.body ?? error.status.reasonPhrase)
        }
    }
}
