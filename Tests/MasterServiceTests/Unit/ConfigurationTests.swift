import NIOCore
import ServiceKit
import XCTest

@testable import MasterService

final class ConfigurationTests: XCTestCase {
    private func read(_ arguments: [String], environment: [String: String] = [:]) -> (MasterConfiguration, ConfigReader) {
        var reader = ConfigReader(arguments: arguments, environment: environment)
        let configuration = MasterSettings.read(from: &reader, executableFolder: "/opt/kit/bin", isExecutable: { _ in true })
        return (configuration, reader)
    }

    func testDefaultsRunOneDataTwoWorkersOneEdgeBesideTheMaster() throws {
        let (configuration, reader) = read([])
        XCTAssertNoThrow(try reader.finish())
        XCTAssertEqual(configuration.plan.services[.data]?.instances, 1)
        XCTAssertEqual(configuration.plan.services[.worker]?.instances, 2)
        XCTAssertEqual(configuration.plan.services[.edge]?.instances, 1)
        XCTAssertEqual(configuration.topology.service(.worker)?.executable, "/opt/kit/bin/worker")
        XCTAssertEqual(configuration.plan.reloadServices, [.data, .worker])
    }

    func testEveryInstanceIsWiredToAllAddressesOfTheServiceItCalls() throws {
        let (configuration, _) = read(["--worker-instances", "2", "--worker-rpc-port", "7200", "--data-rpc-port", "7300"])
        let worker = configuration.launchCommand(
            for: InstanceID(SlotID(.worker, 1), generation: 1), ports: InstancePorts(rpc: 7203, admin: 9203))
        XCTAssertEqual(
            worker.arguments,
            [
                "--admin-host", "127.0.0.1", "--admin-port", "9203",
                "--rpc-listen", "127.0.0.1:7203",
                "--data-target", "127.0.0.1:7300,127.0.0.1:7301",
            ])
        let edge = configuration.launchCommand(
            for: InstanceID(SlotID(.edge, 0), generation: 1), ports: InstancePorts(admin: 9110, http: 8080),
            common: ["--log-level", "debug"])
        XCTAssertEqual(
            edge.arguments,
            [
                "--log-level", "debug", "--admin-host", "127.0.0.1", "--admin-port", "9110",
                "--http-listen", "127.0.0.1:8080",
                "--worker-target", "127.0.0.1:7200,127.0.0.1:7201,127.0.0.1:7202,127.0.0.1:7203",
            ])
    }

    func testExtraArgumentsComeLastAndEnvironmentIsParsed() throws {
        let (configuration, reader) = read(
            ["--edge-args=--static-root static --rate-limit 0"], environment: ["EDGE_ENV": "A=1 B=x=y"])
        XCTAssertNoThrow(try reader.finish())
        let edge = configuration.launchCommand(for: InstanceID(SlotID(.edge, 0), generation: 1), ports: InstancePorts(admin: 1, http: 2))
        XCTAssertEqual(Array(edge.arguments.suffix(4)), ["--static-root", "static", "--rate-limit", "0"])
        XCTAssertEqual(edge.environment, ["A": "1", "B": "x=y"])
    }

    func testWithoutDataInstancesTheWorkerKeepsItsOwnTarget() {
        let (configuration, _) = read(["--data-instances", "0"])
        let worker = configuration.launchCommand(for: InstanceID(SlotID(.worker, 0), generation: 1), ports: InstancePorts(rpc: 1, admin: 2))
        XCTAssertFalse(worker.arguments.contains("--data-target"))
    }

    func testOverlappingPortRangesAreRejected() {
        // Worker 0 and 1 take 7200-7203; data at 7202 collides.
        let (_, reader) = read(["--data-rpc-port", "7202"])
        XCTAssertThrowsError(try reader.finish()) { error in
            XCTAssertTrue("\(error)".contains("port 7202"), "\(error)")
        }
    }

    func testBadValuesAreReported() {
        let (_, reader) = read(["--reload-services", "worker,nginx", "--worker-env", "=oops"])
        XCTAssertThrowsError(try reader.finish()) { error in
            XCTAssertTrue("\(error)".contains("--reload-services"), "\(error)")
            XCTAssertTrue("\(error)".contains("--worker-env"), "\(error)")
        }
    }

    func testRecyclingByRequestsNeedsAMetric() {
        let (_, reader) = read(["--edge-recycle-requests", "10", "--edge-request-metric="])
        XCTAssertThrowsError(try reader.finish())
        let (configuration, fine) = read(["--worker-recycle-requests", "10", "--worker-recycle-memory", "512"])
        XCTAssertNoThrow(try fine.finish())
        XCTAssertEqual(configuration.plan.services[.worker]?.recycle, RecyclePolicy(maximumRequests: 10, maximumResidentBytes: 512 << 20))
    }
}

final class ProbeParsingTests: XCTestCase {
    func testMetricsSumCoversEveryLabelSetAndIgnoresLookalikes() {
        let text = """
            # HELP rpc_server_calls_total Calls.
            # TYPE rpc_server_calls_total counter
            rpc_server_calls_total{method="http",status="ok"} 40
            rpc_server_calls_total{method="grpc.health",status="ok"} 2
            rpc_server_calls_total{method="weird}name",status="internal"} 1
            rpc_server_calls_total_created 12345
            rpc_server_call_duration_seconds_count{method="http"} 42
            """
        XCTAssertEqual(MetricsText.sum(of: "rpc_server_calls_total", in: text), 43)
        XCTAssertNil(MetricsText.sum(of: "http_requests_total", in: text))
        XCTAssertEqual(MetricsText.sum(of: "plain", in: "plain 7\nplain 1.5 1700000000\n"), 8.5)
    }

    func testResidentMemoryIsReadFromProcStatus() {
        let status = "Name:\tworker\nVmPeak:\t  900 kB\nVmRSS:\t   51200 kB\nThreads:\t9\n"
        XCTAssertEqual(ResidentMemory.parse(status: status), 51200 * 1024)
        XCTAssertNil(ResidentMemory.parse(status: "Name:\tzombie\n"))
        XCTAssertNotNil(ResidentMemory.bytes(of: getpid()))
    }

    func testWaitStatusDecoding() {
        XCTAssertEqual(ExitStatus(waitStatus: 0), .exited(code: 0))
        XCTAssertEqual(ExitStatus(waitStatus: 2 << 8), .exited(code: 2))
        XCTAssertEqual(ExitStatus(waitStatus: 9), .signaled(signal: 9))
        XCTAssertEqual(ExitStatus(waitStatus: 15 | 0x80), .signaled(signal: 15), "core-dump bit ignored")
    }

    func testAnHTTPAnswerIsCompleteAtItsContentLength() throws {
        func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
        XCTAssertFalse(AdminHTTP.isComplete(buffer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")))
        XCTAssertFalse(AdminHTTP.isComplete(buffer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc")))
        XCTAssertTrue(AdminHTTP.isComplete(buffer("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabcde")))
        let answer = try AdminHTTP.parse("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}", path: "/readyz")
        XCTAssertEqual(answer.status, 503)
        XCTAssertEqual(answer.body, "{}")
        XCTAssertThrowsError(try AdminHTTP.parse("SSH-2.0-OpenSSH\r\n", path: "/readyz"))
    }
}

final class StateTableTests: XCTestCase {
    func testTheTableListsEveryInstanceAligned() {
        var harness = SupervisorHarness(data: 0, worker: 2, edge: 1)
        harness.startAll()
        harness.send(.exited(harness.current(.worker, 1)!.id, .signaled(signal: 9)))
        let lines = StateTable.render(harness.supervisor.snapshot()).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "phase: running")
        XCTAssertTrue(lines[1].hasPrefix("SERVICE  #  PID   STATE"), lines[1])
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[3].contains("crashed"), lines[3])
        XCTAssertTrue(lines[3].contains("signal 9"), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("edge"), lines[4])
        XCTAssertTrue(lines[4].contains("8080"), lines[4])
    }
}
