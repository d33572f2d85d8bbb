import Foundation
import ServiceKit
import XCTest

@testable import MasterService

final class TopologyFileTests: XCTestCase {
    private func decode(_ json: String) throws -> Topology {
        try TopologyFile.decode(Data(json.utf8), folder: "/srv/app/deploy", executableFolder: "/opt/kit/bin")
    }

    private func decodingError(_ json: String) -> String {
        do {
            _ = try decode(json)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testAFileNamesAnyServicesWithTheirPortsPeersAndSources() throws {
        let topology = try decode(
            """
            {
              "root": "..",
              "services": [
                { "name": "store", "executable": "bin/store", "ports": { "rpc": 7300, "admin": 9300 },
                  "environment": { "STORE_MODE": "memory" } },
                { "name": "api", "instances": 3, "ports": { "rpc": 7200, "admin": 9200 },
                  "peers": ["store", { "service": "store", "env": "STORE_ADDRESSES" }],
                  "arguments": ["--verbose"], "requestMetric": "rpc_server_calls_total",
                  "recycle": { "requests": 1000, "memoryMiB": 256 },
                  "sources": ["Services/API", "/abs/Shared"], "build": "swift build --product api" },
                { "name": "gateway", "executable": "/usr/local/bin/gw", "ports": { "http": 8080, "admin": 9110 },
                  "peers": [{ "service": "api", "flag": "--upstream" }] }
              ]
            }
            """)
        XCTAssertEqual(topology.services.map(\.name), ["store", "api", "gateway"])
        let store = try XCTUnwrap(topology.service("store"))
        XCTAssertEqual(store.executable, "/srv/app/bin/store", "a path with a slash is relative to root")
        XCTAssertEqual(store.instances, 1)
        XCTAssertEqual(store.environment, ["STORE_MODE": "memory"])
        XCTAssertNil(store.watch)
        XCTAssertTrue(store.reload, "a service without a public port reloads on SIGHUP by default")

        let api = try XCTUnwrap(topology.service("api"))
        XCTAssertEqual(api.executable, "/opt/kit/bin/api", "a bare name is beside the master")
        XCTAssertEqual(api.instances, 3)
        XCTAssertEqual(
            api.peers, [PeerLink("store", delivery: .flag("--store-target")), PeerLink("store", delivery: .environment("STORE_ADDRESSES"))])
        XCTAssertEqual(api.recycle, RecyclePolicy(maximumRequests: 1000, maximumResidentBytes: 256 << 20))
        XCTAssertEqual(
            api.watch,
            WatchSpec(sources: ["/srv/app/Services/API", "/abs/Shared"], build: "swift build --product api", workingDirectory: "/srv/app"))

        let gateway = try XCTUnwrap(topology.service("gateway"))
        XCTAssertEqual(gateway.executable, "/usr/local/bin/gw")
        XCTAssertEqual(gateway.ports, ServicePorts(adminBase: 9110, httpBase: 8080))
        XCTAssertFalse(gateway.reload, "a fixed public port means an in-place restart: not in SIGHUP by default")
        XCTAssertEqual(gateway.peers, [PeerLink("api", delivery: .flag("--upstream"))])
    }

    func testMistakesInTheFileAreNamedByTheirPlace() {
        XCTAssertEqual(
            decodingError(#"{"services": [{"name": "a", "ports": {"admin": 1}, "peer": ["b"]}]}"#).hasPrefix("services[0].peer:"), true)
        XCTAssertTrue(decodingError(#"{"services": [{"name": "a", "ports": {"admin": 1}, "peer": []}]}"#).contains("unknown field"))
        XCTAssertEqual(decodingError(#"{"services": [{"name": "a", "ports": {"rpc": 1}}]}"#), "services[0].ports.admin is missing")
        XCTAssertEqual(
            decodingError(#"{"services": [{"name": "a", "instances": "two", "ports": {"admin": 1}}]}"#),
            "services[0].instances must be a whole number")
        XCTAssertTrue(
            decodingError(#"{"services": [{"name": "a", "ports": {"admin": 1}, "peers": [{"service": "b", "flag": "--b", "env": "B"}]}]}"#)
                .contains("flag or env, not both"))
        XCTAssertTrue(decodingError("{\"services\": [").hasPrefix("the document:"), decodingError("{\"services\": ["))
    }

    func testAMissingFileIsReported() {
        XCTAssertThrowsError(try TopologyFile.load(path: "/nonexistent/x.json", executableFolder: "/")) { error in
            XCTAssertTrue("\(error)".contains("cannot read /nonexistent/x.json"), "\(error)")
        }
    }
}

final class TopologyValidationTests: XCTestCase {
    private func service(
        _ name: ServiceName, rpc: Int? = nil, admin: Int, http: Int? = nil, instances: Int = 1, peers: [ServiceName] = []
    ) -> ServiceSpec {
        ServiceSpec(
            name: name, executable: "/bin/\(name)", instances: instances,
            ports: ServicePorts(rpcBase: rpc, adminBase: admin, httpBase: http), peers: peers.map { PeerLink($0) })
    }

    private func problems(_ services: [ServiceSpec], executables: Set<String>? = nil) -> [String] {
        Topology(services: services).problems { executables?.contains($0) ?? true }.map(\.description)
    }

    func testAValidTopologyStartsPeersFirstWhateverTheDeclarationOrder() {
        let topology = Topology(services: [
            service("edge", admin: 9110, http: 8080, peers: ["api", "auth"]),
            service("api", rpc: 7200, admin: 9200, instances: 2, peers: ["store", "auth"]),
            service("store", rpc: 7300, admin: 9300),
            service("auth", rpc: 7400, admin: 9400, peers: ["store"]),
        ])
        XCTAssertEqual(topology.problems { _ in true }, [])
        XCTAssertEqual(topology.startOrder, ["store", "auth", "api", "edge"])
        XCTAssertEqual(SupervisorPlan(topology: topology).order, ["store", "auth", "api", "edge"])
        XCTAssertEqual(SupervisorPlan(topology: topology).reloadServices, ["api", "store", "auth"])
    }

    func testAPlaceholderInTheArgumentsIsAPeerToo() {
        var edge = service("edge", admin: 9110, http: 8080)
        edge.arguments = ["--routes", "/shop/={{shop}} /blog/={{blog}}"]
        edge.environment = ["FALLBACK": "{{shop}}"]
        let topology = Topology(services: [edge, service("shop", rpc: 7200, admin: 9200), service("blog", rpc: 7300, admin: 9300)])
        XCTAssertEqual(edge.dependencies, ["shop", "blog"])
        XCTAssertEqual(topology.startOrder, ["shop", "blog", "edge"])
        edge.arguments = ["--routes", "/shop/={{shpo}}"]
        edge.environment = [:]
        XCTAssertEqual(problems([edge]), [#"edge: peer "shpo" is not a service of the topology"#])
        XCTAssertEqual(PeerPlaceholder.expand("a={{x}},b={{y}}") { $0 == "x" ? "1" : nil }, "a=1,b={{y}}")
        XCTAssertEqual(PeerPlaceholder.expand("open {{x") { _ in "1" }, "open {{x")
    }

    func testAnUnknownPeerIsNamed() {
        XCTAssertEqual(
            problems([service("api", rpc: 7200, admin: 9200, peers: ["stroe"])]),
            [#"api: peer "stroe" is not a service of the topology"#])
    }

    func testAPeerWithoutAnRPCPortCannotBeCalled() {
        XCTAssertEqual(
            problems([service("web", admin: 9110, http: 8080), service("api", rpc: 7200, admin: 9200, peers: ["web"])]),
            [#"api: peer "web" has no rpc port to call"#])
    }

    func testACycleIsShownWhole() {
        let found = problems([
            service("a", rpc: 7000, admin: 9000, peers: ["b"]),
            service("b", rpc: 7010, admin: 9010, peers: ["c"]),
            service("c", rpc: 7020, admin: 9020, peers: ["a"]),
        ])
        XCTAssertEqual(found, ["a: peers form a cycle: a → b → c → a"])
        XCTAssertNil(Topology(services: [service("a", rpc: 7000, admin: 9000, peers: ["a"])]).startOrder)
    }

    func testDuplicateAndMalformedNames() {
        XCTAssertEqual(
            problems([service("api", rpc: 7200, admin: 9200), service("api", rpc: 7300, admin: 9300), service("Bad_Name", admin: 9400)]),
            [
                "api: is declared twice",
                #"Bad_Name: name "Bad_Name" must be lower-case letters, digits and dashes, starting with a letter"#,
            ])
    }

    func testPortCollisionsAcrossAndWithinServices() {
        // api ×2 takes 7200-7203 (two alternatives per slot); store at 7202 collides.
        XCTAssertEqual(
            problems([service("api", rpc: 7200, admin: 9200, instances: 2), service("store", rpc: 7202, admin: 9300)]),
            ["store: port 7202 is used by both api and store"])
        XCTAssertEqual(problems([service("api", rpc: 7200, admin: 7201)]), ["api: port 7201 is used twice by api"])
        XCTAssertEqual(problems([service("api", rpc: 65535, admin: 9200)]), ["api: its ports would go past 65535"])
    }

    func testAMissingExecutableIsReportedOnlyForServicesThatRun() {
        XCTAssertEqual(
            problems([service("api", rpc: 7200, admin: 9200), service("store", rpc: 7300, admin: 9300, instances: 0)], executables: []),
            ["api: executable /bin/api is missing or not executable"])
    }

    func testSourcesNeedABuildCommand() {
        var api = service("api", rpc: 7200, admin: 9200)
        api.watch = WatchSpec(sources: ["/src"], build: "", workingDirectory: "/")
        XCTAssertEqual(problems([api]), ["api: sources and build go together: give both or neither"])
    }
}

final class TopologySettingsTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appending(path: "topology-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: folder.appending(path: "src/api"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ json: String) throws -> String {
        let file = folder.appending(path: "app.topology.json")
        try Data(json.utf8).write(to: file)
        return file.path
    }

    private func read(_ arguments: [String], isExecutable: @escaping (String) -> Bool = { _ in true }) -> (
        MasterConfiguration, ConfigReader
    ) {
        var reader = ConfigReader(arguments: arguments, environment: [:])
        let configuration = MasterSettings.read(from: &reader, executableFolder: "/opt/kit/bin", isExecutable: isExecutable)
        return (configuration, reader)
    }

    private static let fourServices = """
        {"services": [
          {"name": "gateway", "ports": {"http": 8080, "admin": 9110}, "peers": [{"service": "api", "flag": "--route-target"}],
           "arguments": ["--routes", "/find/={{search}} /x/={{nobody}"]},
          {"name": "api", "instances": 2, "ports": {"rpc": 7200, "admin": 9200}, "peers": ["store", "search"],
           "sources": ["src/api"], "build": "make api"},
          {"name": "search", "ports": {"rpc": 7400, "admin": 9400}, "peers": [{"service": "store", "env": "STORE_TARGET"}]},
          {"name": "store", "ports": {"rpc": 7300, "admin": 9300}, "arguments": ["--in-memory"]}
        ]}
        """

    func testAFourthServiceIsWiredFromTheFileAndEachGetsOverrideFlags() throws {
        let path = try write(Self.fourServices)
        let (configuration, reader) = read(["--topology", path, "--search-instances", "2", "--store-args=--cache 64", "--watch"])
        XCTAssertNoThrow(try reader.finish())
        XCTAssertEqual(configuration.plan.order, ["store", "search", "api", "gateway"])
        XCTAssertEqual(configuration.plan.services["search"]?.instances, 2)
        XCTAssertEqual(configuration.plan.reloadServices, ["api", "search", "store"])
        XCTAssertEqual(configuration.watch, WatchSettings())

        let api = configuration.launchCommand(
            for: InstanceID(SlotID("api", 1), generation: 1), ports: InstancePorts(rpc: 7203, admin: 9203))
        XCTAssertEqual(api.executable, "/opt/kit/bin/api")
        XCTAssertEqual(
            api.arguments,
            [
                "--admin-host", "127.0.0.1", "--admin-port", "9203", "--rpc-listen", "127.0.0.1:7203",
                "--store-target", "127.0.0.1:7300,127.0.0.1:7301",
                "--search-target", "127.0.0.1:7400,127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403",
            ])
        let search = configuration.launchCommand(
            for: InstanceID(SlotID("search", 0), generation: 1), ports: InstancePorts(rpc: 7400, admin: 9400))
        XCTAssertEqual(search.environment, ["STORE_TARGET": "127.0.0.1:7300,127.0.0.1:7301"])
        let store = configuration.launchCommand(
            for: InstanceID(SlotID("store", 0), generation: 1), ports: InstancePorts(rpc: 7300, admin: 9300))
        XCTAssertEqual(Array(store.arguments.suffix(3)), ["--in-memory", "--cache", "64"], "the file's arguments, then the flag's")
        let gateway = configuration.launchCommand(
            for: InstanceID(SlotID("gateway", 0), generation: 1), ports: InstancePorts(admin: 9110, http: 8080))
        XCTAssertEqual(
            gateway.arguments,
            [
                "--admin-host", "127.0.0.1", "--admin-port", "9110", "--http-listen", "127.0.0.1:8080",
                "--route-target", "127.0.0.1:7200,127.0.0.1:7201,127.0.0.1:7202,127.0.0.1:7203",
                "--routes", "/find/=127.0.0.1:7400,127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403 /x/={{nobody}",
            ])
    }

    func testHelpListsTheFlagsOfTheFilesServices() throws {
        let path = try write(Self.fourServices)
        let (_, reader) = read(["--topology", path, "--help"])
        let help = reader.helpText(name: "master", summary: "")
        for flag in ["--search-instances", "--gateway-http-port", "--store-rpc-port", "--watch", "--topology"] {
            XCTAssertTrue(help.contains(flag), flag)
        }
        XCTAssertFalse(help.contains("--worker-instances"), "the built-in services are not there")
    }

    func testProblemsOfTheFileAreReportedTogether() throws {
        let path = try write(
            """
            {"services": [
              {"name": "api", "ports": {"rpc": 7200, "admin": 9200}, "peers": ["nope"]},
              {"name": "store", "ports": {"rpc": 7201, "admin": 9300}}
            ]}
            """)
        let (_, reader) = read(["--topology", path], isExecutable: { $0.hasSuffix("/api") })
        XCTAssertThrowsError(try reader.finish()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(#"api: peer "nope" is not a service of the topology"#), text)
            XCTAssertTrue(text.contains("port 7201 is used by both api and store"), text)
            XCTAssertTrue(text.contains("store: executable /opt/kit/bin/store is missing"), text)
            XCTAssertTrue(text.contains("--topology"), text)
        }
    }

    func testWatchNeedsAServiceWithSourcesThatExist() throws {
        let (_, builtIn) = read(["--watch"])
        XCTAssertThrowsError(try builtIn.finish()) { error in
            XCTAssertTrue("\(error)".contains("no service of the topology has sources"), "\(error)")
        }
        let path = try write(
            #"{"services": [{"name": "api", "ports": {"admin": 9200}, "sources": ["src/api", "src/gone"], "build": "true"}]}"#)
        let (_, missing) = read(["--topology", path, "--watch"])
        XCTAssertThrowsError(try missing.finish()) { error in
            XCTAssertTrue("\(error)".contains("api: source \(folder.path)/src/gone does not exist"), "\(error)")
        }
        let (configuration, unwatched) = read(["--topology", path])
        XCTAssertNoThrow(try unwatched.finish(), "sources are checked only with --watch")
        XCTAssertNil(configuration.watch)
    }
}

final class CommittedTopologyTests: XCTestCase {
    /// `scripts/run-local.sh` runs this file; it must describe what the built-in topology does.
    func testMicropostsTopologyFileMatchesTheBuiltInOne() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../..").standardizedFileURL
        let file = try TopologyFile.load(
            path: root.appending(path: "deploy/local/microposts.topology.json").path, executableFolder: "/opt/kit/bin")
        XCTAssertEqual(file.problems { _ in true }, [])
        let builtIn = BuiltInTopology.topology(executableFolder: "/opt/kit/bin")
        XCTAssertEqual(file.services.map(\.name), builtIn.services.map(\.name))
        for (fromFile, expected) in zip(file.services, builtIn.services) {
            var withoutWatch = fromFile
            withoutWatch.watch = nil
            XCTAssertEqual(withoutWatch, expected)
            let watch = try XCTUnwrap(fromFile.watch)
            XCTAssertEqual(watch.workingDirectory, root.path)
            for source in watch.sources {
                XCTAssertTrue(FileManager.default.fileExists(atPath: source), source)
            }
        }
    }
}
