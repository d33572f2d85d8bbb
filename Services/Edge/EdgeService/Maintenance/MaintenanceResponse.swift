import AppServerProtocol
import NIOHTTP1

/// What `/api/` answers during maintenance (book ch. 6: a file's presence switches it on):
/// the operator's page for browsers, the JSON error shape for API clients.
enum MaintenanceResponse {
    enum Body: Equatable {
        case page([UInt8])
        case json(ErrorBody)
    }

    static let errorBody = ErrorBody(code: "maintenance", message: "The service is down for maintenance; try again later.")

    static func body(page: [UInt8], accept: String?) -> Body {
        prefersJSON(accept: accept) || page.isEmpty ? .json(errorBody) : .page(page)
    }

    /// JSON when the client names a JSON type before HTML, or does not ask for HTML at all
    /// (API clients and `curl` send `*/*` or nothing; browsers always list `text/html`).
    static func prefersJSON(accept: String?) -> Bool {
        guard let accept = accept?.lowercased() else { return true }
        let html = accept.firstRange(of: "text/html")?.lowerBound
        let json = accept.firstRange(of: "json")?.lowerBound
        switch (html, json) {
        case (nil, _): return true
        case (.some, nil): return false
        case (.some(let html), .some(let json)): return json < html
        }
    }
}
