import Foundation
import ServiceTestSupport
import XCTest

/// One HTTP request through the real edge, worker and data processes, exporting to a real OTLP
/// receiver (`scripts/otlp-receiver.py`, OpenTelemetry's own protobuf definitions): one trace
/// holds the spans of every hop, each parented on the one before, down to the SQL statement.
final class TracingEndToEndTests: XCTestCase {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let clientSpanID = "00f067aa0ba902b7"
    static let unsampledTraceID = "5cf92f3577b34da6a3ce929d0e0e4737"

    static func lines(of log: String, containing text: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains(text) }
    }

    /// The lines of any of `members` containing `text`, waiting up to 5 s for one: a process
    /// writes a call's last line as it answers, and its output reaches the test a little later.
    static func lines(of members: [HostileStack.Member], containing text: String) async throws -> [Substring] {
        let until = ContinuousClock.now + .seconds(5)
        while true {
            let found = members.flatMap { lines(of: $0.log(last: 200_000), containing: text) }
            if !found.isEmpty || ContinuousClock.now >= until { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The bare value after `key` in a text log line (`span_id=…`).
    static func value(of key: String, in line: Substring) -> String? {
        guard let range = line.range(of: key) else { return nil }
        return String(line[range.upperBound...].prefix { $0.isHexDigit })
    }

    func testOneRequestIsOneTraceAcrossEdgeWorkerDataAndItsStatement() async throws {
        let receiver = try OTLPReceiver.start()
        defer { receiver.stop() }
        let tracing = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiver.port)", "OTEL_BSP_SCHEDULE_DELAY": "100",
            "LOG_LEVEL": "debug",
        ]
        let stack = HostileStack()
        do {
            try await stack.start(
                edgeArguments: ["--server-timing", "all"],
                environment: [
                    "edge": tracing, "worker": tracing,
                    "data": tracing.merging(["LOG_FORMAT": "json"]) { $1 },
                ])
            try await stack.register("ana", port: stack.edgePort)
            let token = try await stack.login("ana", port: stack.edgePort)

            let reply = try await HostileHTTP.request(
                port: stack.edgePort, "GET", "/api/users/ana", token: token,
                headers: [("traceparent", "00-\(Self.traceID)-\(Self.clientSpanID)-01"), ("tracestate", "vendor=1")])
            XCTAssertEqual(reply.status, 200, reply.text)
            let timing = try XCTUnwrap(reply.header("Server-Timing"), "no Server-Timing with --server-timing all")
            for entry in ["edge;dur=", "upstream;dur=", "app;dur=", "db;dur="] {
                XCTAssertTrue(timing.contains(entry), "\(entry) missing in \(timing)")
            }

            // Each service exports on its own schedule (the edge's span ends last, with the
            // response): wait for a span of every kind the checks below look at.
            let spans = try await receiver.spans(until: .seconds(15)) { spans in
                let trace = spans.filter { $0.traceID == Self.traceID }
                let kinds = Set(trace.map { "\($0.service) \($0.kind)" })
                return kinds.isSuperset(of: [
                    "edge server", "edge client", "worker server", "worker client", "data server",
                ])
                    && trace.contains { $0.service == "data" && $0.attributes["db.system.name"] as? String == "postgresql" }
            }
            let trace = spans.filter { $0.traceID == Self.traceID }
            let byID = Dictionary(trace.map { ($0.spanID, $0) }) { first, _ in first }
            func parent(of span: ReceivedSpan) -> ReceivedSpan? { byID[span.parentSpanID] }
            func describe() -> String {
                trace.map { "\($0.service) \($0.kind) \($0.name) \($0.spanID)←\($0.parentSpanID)" }.joined(separator: "\n")
            }

            let edge = try XCTUnwrap(trace.first { $0.service == "edge" && $0.kind == "server" }, describe())
            XCTAssertEqual(edge.parentSpanID, Self.clientSpanID, "the edge continues the client's trace")
            XCTAssertEqual(edge.attributes["http.response.status_code"] as? Int, 200)
            let edgeCall = try XCTUnwrap(trace.first { $0.service == "edge" && $0.kind == "client" }, describe())
            XCTAssertEqual(edgeCall.parentSpanID, edge.spanID)
            // The worker's server span is the request's, named by the route it matched.
            let worker = try XCTUnwrap(trace.first { $0.service == "worker" && $0.kind == "server" }, describe())
            XCTAssertEqual(worker.parentSpanID, edgeCall.spanID, describe())
            XCTAssertEqual(worker.name, "GET /api/users/{username}", describe())
            XCTAssertEqual(worker.attributes["http.route"] as? String, "/api/users/{username}")
            XCTAssertEqual(worker.attributes["rpc.method"] as? String, "http")
            XCTAssertFalse(trace.contains { $0.service == "worker" && $0.kind == "internal" }, describe())
            // The worker's calls to the data service (a revocation check, the user read) are
            // its children, each continued by a data server span.
            let data = try XCTUnwrap(trace.first { $0.service == "data" && $0.kind == "server" && $0.name == "users/get" }, describe())
            let workerCall = try XCTUnwrap(parent(of: data), describe())
            XCTAssertEqual(workerCall.service, "worker")
            XCTAssertEqual(workerCall.kind, "client")
            XCTAssertEqual(workerCall.name, "users/get")
            XCTAssertEqual(workerCall.parentSpanID, worker.spanID)
            // users.get is batched: its statement hangs under the data call it serves (the
            // batch's first traced one) and links to every request the batch serves.
            let statements = trace.filter { $0.service == "data" && $0.attributes["db.system.name"] as? String == "postgresql" }
            let statement = try XCTUnwrap(statements.first { $0.parentSpanID == data.spanID }, describe())
            XCTAssertTrue(statement.links.contains { $0.traceID == Self.traceID && $0.spanID == data.spanID }, "\(statement.links)")
            XCTAssertGreaterThanOrEqual(statement.attributes["batch.requests"] as? Int ?? 0, 1, "\(statement.attributes)")
            XCTAssertFalse(trace.contains { $0.service == "data" && $0.kind == "internal" }, describe())
            XCTAssertEqual(statement.kind, "client")
            XCTAssertEqual(statement.name, "existing_usernames")
            XCTAssertNotNil(statement.attributes["db.query.text"] as? String)
            // Every data call of the request has its statements beneath it.
            for call in trace.filter({ $0.service == "data" && $0.kind == "server" }) {
                XCTAssertTrue(
                    statements.contains { statement in
                        var ancestor = parent(of: statement)
                        while let span = ancestor, span.spanID != call.spanID { ancestor = parent(of: span) }
                        return ancestor != nil
                    }, "no statement under \(call.name):\n\(describe())")
            }

            // Log lines written while serving the request carry its trace and span ids: text and JSON.
            XCTAssertTrue(
                stack.workers[0].log(last: 200_000).contains("trace_id=\(Self.traceID)"), "worker log:\n\(stack.workers[0].log())")
            let dataLog = try XCTUnwrap(stack.data).log(last: 200_000)
            XCTAssertTrue(dataLog.contains(#""trace_id":"\#(Self.traceID)""#), "data log:\n\(String(dataLog.suffix(3000)))")
            XCTAssertTrue(dataLog.contains(#""span_id":""#))

            // Without a client trace the edge starts one: a root span, and the services join it.
            let untraced = try await HostileHTTP.request(port: stack.edgePort, "GET", "/api/users/ana", token: token)
            XCTAssertEqual(untraced.status, 200)
            let all = try await receiver.spans(until: .seconds(10)) { spans in
                spans.contains { $0.service == "edge" && $0.kind == "server" && $0.parentSpanID.isEmpty }
            }
            let root = try XCTUnwrap(all.first { $0.service == "edge" && $0.kind == "server" && $0.parentSpanID.isEmpty })
            XCTAssertNotEqual(root.traceID, Self.traceID)
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    func testTheSampleRatioDecidesForNewTracesAndTheCallersFlagForContinuedOnes() async throws {
        let receiver = try OTLPReceiver.start()
        defer { receiver.stop() }
        let tracing = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiver.port)", "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_TRACES_SAMPLER_ARG": "0", "LOG_LEVEL": "debug",
        ]
        let stack = HostileStack()
        do {
            try await stack.start(
                edgeArguments: ["--access-log=true"],
                environment: ["edge": tracing, "worker": tracing, "data": tracing.merging(["LOG_FORMAT": "json"]) { $1 }])
            try await stack.register("cy", port: stack.edgePort)
            let token = try await stack.login("cy", port: stack.edgePort)
            // Ratio 0: traces the edge starts are not recorded anywhere.
            for _ in 0..<5 {
                let reply = try await HostileHTTP.request(port: stack.edgePort, "GET", "/api/users/cy", token: token)
                XCTAssertEqual(reply.status, 200, reply.text)
            }
            // A client's sampled trace is followed: recorded at every hop.
            let reply = try await HostileHTTP.request(
                port: stack.edgePort, "GET", "/api/users/cy", token: token,
                headers: [("traceparent", "00-\(Self.traceID)-\(Self.clientSpanID)-01")])
            XCTAssertEqual(reply.status, 200, reply.text)
            let spans = try await receiver.spans(until: .seconds(10)) { spans in
                Set(spans.filter { $0.traceID == Self.traceID }.map(\.service)) == ["edge", "worker", "data"]
            }
            XCTAssertEqual(Set(spans.filter { $0.traceID == Self.traceID }.map(\.service)), ["edge", "worker", "data"])
            XCTAssertEqual(Set(spans.map(\.traceID)), [Self.traceID], "only the client's sampled trace is exported")

            // A trace nobody records still names itself on every line written for it: the edge's
            // span (unrecorded, but with an id of its own), which the services continue.
            let unrecorded = try await HostileHTTP.request(
                port: stack.edgePort, "GET", "/api/users/cy", token: token,
                headers: [("traceparent", "00-\(Self.unsampledTraceID)-\(Self.clientSpanID)-00")])
            XCTAssertEqual(unrecorded.status, 200, unrecorded.text)
            let edge = try XCTUnwrap(stack.edge)
            let accessLines = try await Self.lines(of: [edge], containing: "trace_id=\(Self.unsampledTraceID)")
            let accessLine = try XCTUnwrap(accessLines.last, "edge log:\n\(edge.log(last: 3000))")
            let edgeSpanID = try XCTUnwrap(Self.value(of: "span_id=", in: accessLine), String(accessLine))
            XCTAssertNotEqual(edgeSpanID, Self.clientSpanID, "the edge's span is its own")
            let workerLines = try await Self.lines(of: stack.workers, containing: "trace_id=\(Self.unsampledTraceID)")
            XCTAssertFalse(workerLines.isEmpty, "no worker line of the unrecorded trace")
            for line in workerLines { XCTAssertTrue(line.contains("span_id=\(edgeSpanID)"), String(line)) }
            let dataLines = try await Self.lines(
                of: [try XCTUnwrap(stack.data)], containing: #""trace_id":"\#(Self.unsampledTraceID)""#)
            XCTAssertFalse(dataLines.isEmpty, "no data line of the unrecorded trace")
            for line in dataLines { XCTAssertTrue(line.contains(#""span_id":"\#(edgeSpanID)""#), String(line)) }
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    func testTracingIsOffWithoutAnEndpointAndAClientTraceStillReachesTheServices() async throws {
        let stack = HostileStack()
        do {
            try await stack.start(environment: ["worker": ["LOG_LEVEL": "debug"], "data": ["LOG_LEVEL": "debug"]])
            try await stack.register("bob", port: stack.edgePort)
            let token = try await stack.login("bob", port: stack.edgePort)
            let reply = try await HostileHTTP.request(
                port: stack.edgePort, "GET", "/api/users/bob", token: token,
                headers: [("traceparent", "00-\(Self.traceID)-\(Self.clientSpanID)-01")])
            XCTAssertEqual(reply.status, 200, reply.text)
            XCTAssertNil(reply.header("Server-Timing"), "Server-Timing only for trusted clients by default")
            // No tracer: the edge says tracing is off and passes the client's context on as it is,
            // so the services' lines name the client's span.
            XCTAssertTrue(try XCTUnwrap(stack.edge).log(last: 200_000).contains("tracing=off"))
            let lines = try await Self.lines(of: stack.workers, containing: "trace_id=\(Self.traceID)")
            XCTAssertFalse(lines.isEmpty, "no worker line of the client's trace")
            for line in lines { XCTAssertTrue(line.contains("span_id=\(Self.clientSpanID)"), String(line)) }
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }
}

/// A span as `scripts/otlp-receiver.py` writes it.
struct ReceivedSpan {
    var traceID: String
    var spanID: String
    var parentSpanID: String
    var name: String
    var kind: String
    var service: String
    var attributes: [String: Any]
    var links: [(traceID: String, spanID: String)]

    init?(_ object: [String: Any]) {
        guard let traceID = object["trace_id"] as? String, let spanID = object["span_id"] as? String,
            let name = object["name"] as? String, let kind = object["kind"] as? String
        else { return nil }
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = object["parent_span_id"] as? String ?? ""
        self.name = name
        self.kind = kind
        self.service = object["service"] as? String ?? ""
        self.attributes = object["attributes"] as? [String: Any] ?? [:]
        self.links = (object["links"] as? [[String: Any]] ?? []).compactMap { link in
            guard let trace = link["trace_id"] as? String, let span = link["span_id"] as? String else { return nil }
            return (trace, span)
        }
    }
}

/// `scripts/otlp-receiver.py` as a process: OTLP/HTTP on a free loopback port, spans to a file.
final class OTLPReceiver: @unchecked Sendable {
    let process = Process()
    let port: Int
    let output: URL

    /// The interpreter with opentelemetry-proto: `OTLP_RECEIVER_PYTHON` (the test command sets
    /// it), else the virtualenv `.ci/run` makes; skipped only when neither exists.
    static func python() throws -> String {
        if let python = ProcessInfo.processInfo.environment["OTLP_RECEIVER_PYTHON"] { return python }
        let venv = "/opt/otlp-receiver-1.45.2/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: venv) else {
            throw XCTSkip("no OTLP receiver: set OTLP_RECEIVER_PYTHON or run .ci/run's install steps")
        }
        return venv
    }

    static func start() throws -> OTLPReceiver {
        try OTLPReceiver(python: python())
    }

    private init(python: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        output = FileManager.default.temporaryDirectory.appendingPathComponent("spans-\(UUID().uuidString).jsonl")
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/otlp-receiver.py").path, "--port", "0", "--out", output.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        // The first line is `listening <port>`: read with blocking reads, byte by byte, so
        // nothing after it is consumed.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(stdout.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.count == 2, words[0] == "listening", let port = Int(words[1]) else {
            process.terminate()
            throw OTLPReceiverError(description: "the OTLP receiver did not start: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM, and the
        // receiver has written every span it answered for.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: output)
    }

    /// Every span received so far, polled until `enough` holds or the time is up.
    func spans(until timeout: Duration, enough: ([ReceivedSpan]) -> Bool) async throws -> [ReceivedSpan] {
        let until = ContinuousClock.now + timeout
        while true {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            let spans = text.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).flatMap(ReceivedSpan.init)
            }
            if enough(spans) || ContinuousClock.now >= until { return spans }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

struct OTLPReceiverError: Error, CustomStringConvertible {
    var description: String
}
