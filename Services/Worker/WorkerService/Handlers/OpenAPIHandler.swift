import Hummingbird

extension MicropostsAPI {
    /// `GET /api/openapi.json`; its server URL is the origin the client used.
    func openAPI(_ call: APIRequest) async throws -> Response {
        let serverURL = call.links.origin.baseURL
        let document = openAPIDocuments.document(for: serverURL) {
            JSONResponse.encode(OpenAPIDocument.make(routes: routes, serverURL: serverURL))
        }
        return JSONResponse.make(status: .ok, encoded: document)
    }
}
