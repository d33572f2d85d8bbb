import AppServer
import Hummingbird

extension MicropostsAPI {
    /// `GET /api/openapi.json`; its server URL is the origin the client used.
    func openAPI(_ call: APIRequest) async throws -> Response {
        let serverURL = call.context.origin.baseURL
        let document = openAPIDocuments.document(for: serverURL) {
            JSONResponse.encode(openAPIDocument(serverURL: serverURL))
        }
        return JSONResponse.make(status: .ok, encoded: document)
    }

    /// The OpenAPI 3 document of ``routes``.
    func openAPIDocument(serverURL: String) -> JSONValue {
        OpenAPIDocument.make(routes: routes, info: OpenAPISchemas.info, serverURL: serverURL)
    }
}
