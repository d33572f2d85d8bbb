import AppServer
import Foundation
import Hummingbird
import Logging
import PostgresData
import PostgresNIO
import PostgresTestSupport
import RPC
import ServiceKit
import ServiceLifecycle
import ServiceTestSupport
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The kit's promise, kept by a test that imports only kit products and no Microposts module:
/// a tiny "notes" service built from them runs end to end. A data tier serves RPC methods
/// backed by PostgreSQL (`PostgresData`: migrations under its own lock, leases that follow the
/// caller's deadline, its constraint mapped to a client error); an app server (`AppServer`)
/// turns HTTP routes with typed parameters into calls to it; and the real `edge` executable
/// routes `/notes/` to the app server. docs/kit.md walks through the same shape.
final class NotesServiceTests: XCTestCase {
    func testANotesServiceBuiltFromKitProductsRunsBehindTheEdge() async throws {
        let cluster = try await PostgresTestCluster.shared()
        let settings = DatabaseSettings(
            host: cluster.host, port: cluster.port, username: cluster.username, password: cluster.password,
            database: try await cluster.createDatabase(), sslMode: .disable, applicationName: "notes")
        let postgres = PostgresClient(configuration: settings.clientConfiguration(), backgroundLogger: quietLogger)
        let database = Database(
            client: postgres, statementTimeout: settings.statementTimeout, leaseTimeout: settings.connectTimeout,
            errorMapping: DatabaseErrorMapping(constraintErrors: ["notes_text_check": .invalidArgument("text: must not be empty")]))

        // The monitor migrates (under the notes' own advisory lock), then probes the database
        // and drives readiness; leases fail fast until it has seen the database reachable.
        let readiness = Readiness()
        let monitor = DatabaseMonitor(
            database: database, migrations: try NotesData.migrations(), readiness: readiness, interval: .seconds(1),
            probeTimeout: settings.connectTimeout, logger: quietLogger)
        let dataServer = RPCServer(
            configuration: RPCServerConfiguration(bindTarget: .tcp(host: "127.0.0.1", port: 0)), router: NotesData.router(database),
            serviceName: "notes-data", logger: quietLogger)
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [postgres, monitor, dataServer], logger: quietLogger))
        let running = Task { try await services.run() }
        defer { running.cancel() }
        let ready = ContinuousClock.now + .seconds(20)
        while readiness.snapshot().conditions[DatabaseMonitor.readinessCondition] != true, ContinuousClock.now < ready {
            try await Task.sleep(for: .milliseconds(20))
        }
        let dataPort = try await dataServer.localAddress().port ?? 0

        let dataClient = RPCClient(target: try RPCTarget(parsing: "127.0.0.1:\(dataPort)"), logger: quietLogger)
        var appRouter = RPCRouter()
        EnvelopeResponder(responder: NotesApp.routes(dataClient).makeRouter(authenticator: NoAuthentication()).buildResponder())
            .register(on: &appRouter)
        let appServer = RPCServer(
            configuration: RPCServerConfiguration(bindTarget: .tcp(host: "127.0.0.1", port: 0)), router: appRouter,
            serviceName: "notes-app", logger: quietLogger)
        let appServices = ServiceGroup(configuration: ServiceGroupConfiguration(services: [dataClient, appServer], logger: quietLogger))
        let appRunning = Task { try await appServices.run() }
        defer { appRunning.cancel() }
        let appPort = try await appServer.localAddress().port ?? 0

        let httpPort = try freePort()
        let staticRoot = FileManager.default.temporaryDirectory.appendingPathComponent("notes-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staticRoot, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staticRoot) }
        let edge = try ServiceProcess(
            "edge",
            arguments: [
                "--http-listen", "127.0.0.1:\(httpPort)", "--static-root", staticRoot.path, "--worker-target", "127.0.0.1:1",
                "--routes", "/notes/=127.0.0.1:\(appPort)",
            ])
        defer { edge.process.terminate() }
        try await edge.waitForAdmin("/readyz", status: 200)
        let until = ContinuousClock.now + .seconds(10)
        while dataClient.readyConnectionCount == 0, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(10)) }

        let created = try await http("POST", "/notes/", port: httpPort, json: #"{"text":"first note"}"#)
        XCTAssertEqual(created.status, 201, created.body)
        let note = try JSONDecoder().decode(Note.self, from: Data(created.body.utf8))
        XCTAssertEqual(note.text, "first note")
        XCTAssertEqual(created.headers["location"], "/notes/\(note.id)")

        let read = try await http("GET", "/notes/\(note.id)", port: httpPort)
        XCTAssertEqual(read.status, 200, read.body)
        XCTAssertEqual(try JSONDecoder().decode(Note.self, from: Data(read.body.utf8)), note)

        // Typed parameters are checked before the handler; the data tier's errors map to HTTP.
        let notANumber = try await http("GET", "/notes/abc", port: httpPort)
        XCTAssertEqual(notANumber.status, 400, notANumber.body)
        XCTAssertTrue(notANumber.body.contains("id: must be an integer"), notANumber.body)
        let missing = try await http("GET", "/notes/\(note.id + 1000)", port: httpPort)
        XCTAssertEqual(missing.status, 404, missing.body)
        let empty = try await http("POST", "/notes/", port: httpPort, json: #"{"text":""}"#)
        XCTAssertEqual(empty.status, 400, empty.body)
        XCTAssertTrue(empty.body.contains("text: must not be empty"), empty.body)

        // The edge still owns everything else: its own 404, and the app server's OpenAPI
        // document names the typed parameter.
        let elsewhere = try await http("GET", "/nothing-here", port: httpPort)
        XCTAssertEqual(elsewhere.status, 404)
        let document = OpenAPIDocument.make(routes: NotesApp.routes(dataClient), info: NotesApp.info, serverURL: "/")
        let json = String(buffer: JSONResponse.encode(document))
        XCTAssertTrue(json.contains(#""format":"int64""#), json)
        let exitStatus = try await edge.stop()
        XCTAssertEqual(exitStatus, 0)
    }

    private func http(
        _ method: String, _ path: String, port: Int, json: String? = nil
    ) async throws -> (status: Int, body: String, headers: [String: String]) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (body, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields { headers["\(name)".lowercased()] = "\(value)" }
        return (http.statusCode, String(decoding: body, as: UTF8.self), headers)
    }
}

let quietLogger = Logger(label: "kit-only") { _ in SwiftLogNoOpLogHandler() }

// MARK: The shared models (what a small models module would hold)

struct NewNote: WireMessage {
    var text = ""

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "text", &text)
    }
}

struct NoteID: WireMessage {
    var id: Int64 = 0

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "id", &id)
    }
}

struct Note: WireMessage, Codable, Equatable {
    var id: Int64 = 0
    var text = ""

    mutating func wireFields(_ fields: inout WireFields) throws {
        try fields.field(1, "id", &id)
        try fields.field(2, "text", &text)
    }
}

extension RPCMethod where Request == NewNote, Response == Note {
    static let addNote = RPCMethod(name: "notes.add", isIdempotent: false)
}

extension RPCMethod where Request == NoteID, Response == Note {
    static let getNote = RPCMethod(name: "notes.get", isIdempotent: true)
}

// MARK: The data tier

enum NotesData {
    static func migrations() throws -> MigrationRunner {
        try MigrationRunner(
            migrations: [
                Migration(
                    version: 1, name: "notes",
                    statements: [
                        "CREATE TABLE notes (id bigserial PRIMARY KEY, text text NOT NULL CONSTRAINT notes_text_check CHECK (text <> ''))"
                    ])
            ],
            lock: MigrationLock(name: "notes"))
    }

    static func router(_ database: Database) -> RPCRouter {
        var router = RPCRouter()
        router.register(.addNote) { request, context in
            try await database.withConnection(for: DatabaseCall(context)) { connection in
                let rows = try await connection.run(
                    "INSERT INTO notes (text) VALUES (\(request.text)) RETURNING id", logger: context.logger)
                guard let row = rows.first else { throw RPCError.internal("insert returned no row") }
                return Note(id: try row.decode(Int64.self), text: request.text)
            }
        }
        router.register(.getNote) { request, context in
            try await database.withConnection(for: DatabaseCall(context)) { connection in
                let rows = try await connection.run("SELECT id, text FROM notes WHERE id = \(request.id)", logger: context.logger)
                guard let row = rows.first else { throw RPCError.notFound("no note \(request.id)") }
                let (id, text) = try row.decode((Int64, String).self)
                return Note(id: id, text: text)
            }
        }
        return router
    }
}

// MARK: The app server

enum NotesApp {
    static let id = Parameter.path("id", .integer(atLeast: 1), description: "The note's number.")

    static let info = OpenAPIInfo(
        title: "Notes", version: "1.0.0", description: "Notes kept by the kit.", schemas: ["Note": ["type": "object"]],
        securityScheme: ["type": "http", "scheme": "basic"], securitySchemeName: "none")

    static func routes(_ data: RPCClient) -> RouteTable<Never> {
        typealias Reply = OperationDocumentation.Reply
        return RouteTable(routes: [
            APIRoute(
                method: .post, path: "/notes/",
                documentation: .init(
                    operationID: "addNote", summary: "Keep a note.", requestBody: .init(schema: "Note"),
                    replies: [Reply(status: 201, description: "Kept.", schema: "Note", headers: ["Location"])]),
                handler: .anyone { call in
                    let fields = try await call.fields()
                    try fields.rejectUnknown(allowed: ["text"])
                    let note = try await callData(data, .addNote, NewNote(text: try fields.requiredString("text")), context: call.context)
                    return JSONResponse.make(status: .created, body: note, headers: [.location: "/notes/\(note.id)"])
                }),
            APIRoute(
                method: .get, path: "/notes/{id}", parameters: [id],
                documentation: .init(
                    operationID: "getNote", summary: "One note.", replies: [Reply(status: 200, description: "The note.", schema: "Note")]),
                handler: .anyone { call in
                    let note = try await callData(data, .getNote, NoteID(id: try call.parameters.integer("id")), context: call.context)
                    return JSONResponse.make(status: .ok, body: note)
                }),
        ])
    }

    /// The app's errors from the data tier's: its `RPCError`s become the HTTP errors the kit maps.
    static func callData<Request, Response>(
        _ client: RPCClient, _ method: RPCMethod<Request, Response>, _ request: Request, context: AppRequestContext
    ) async throws -> Response {
        do {
            return try await client.call(method, request)
        } catch let error as RPCError {
            throw APIError.from(error, isIdempotent: method.isIdempotent, logger: context.logger)
        }
    }
}
