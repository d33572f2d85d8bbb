import Logging
import RPC
import ServiceKit
import XCTest

final class ConfigReaderTests: XCTestCase {
    private let port = Setting.port("admin-port", env: "ADMIN_PORT", default: 9090, help: "Admin port.")

    func testDefaultWhenNeitherFlagNorEnvironment() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        XCTAssertEqual(reader.read(port), 9090)
        try reader.finish()
    }

    func testFlagWithSeparateValue() throws {
        var reader = ConfigReader(arguments: ["--admin-port", "8081"], environment: [:])
        XCTAssertEqual(reader.read(port), 8081)
        try reader.finish()
    }

    func testFlagWithEqualsValue() throws {
        var reader = ConfigReader(arguments: ["--admin-port=8082"], environment: [:])
        XCTAssertEqual(reader.read(port), 8082)
        try reader.finish()
    }

    func testEnvironment() throws {
        var reader = ConfigReader(arguments: [], environment: ["ADMIN_PORT": "8083"])
        XCTAssertEqual(reader.read(port), 8083)
        try reader.finish()
    }

    func testFlagWinsOverEnvironmentWhichWinsOverDefault() throws {
        var reader = ConfigReader(arguments: ["--admin-port", "1111"], environment: ["ADMIN_PORT": "2222"])
        XCTAssertEqual(reader.read(port), 1111)
        try reader.finish()
    }

    func testEmptyEnvironmentValueCountsAsUnset() throws {
        var reader = ConfigReader(arguments: [], environment: ["ADMIN_PORT": ""])
        XCTAssertEqual(reader.read(port), 9090)
        try reader.finish()
    }

    func testLastOccurrenceOfAFlagWins() throws {
        var reader = ConfigReader(arguments: ["--admin-port", "1", "--admin-port=2"], environment: [:])
        XCTAssertEqual(reader.read(port), 2)
        try reader.finish()
    }

    func testImplicitMemberSyntaxServicesUse() throws {
        var reader = ConfigReader(arguments: ["--rpc-port", "7000"], environment: [:])
        let rpcPort = reader.read(.port("rpc-port", env: "RPC_PORT", default: 7100, help: "RPC port."))
        XCTAssertEqual(rpcPort, 7000)
        try reader.finish()
    }

    func testSettingsReadInAnyOrderShareOneArgumentList() throws {
        let level = Setting.string("log-level", env: "LOG_LEVEL", default: "info", help: "Level.")
        let verbose = Setting.bool("verbose", env: "VERBOSE", default: false, help: "Chatty.")
        var reader = ConfigReader(
            arguments: ["--verbose", "--log-level", "debug", "--admin-port=1"],
            environment: [:]
        )
        XCTAssertEqual(reader.read(level), "debug")
        XCTAssertEqual(reader.read(port), 1)
        XCTAssertTrue(reader.read(verbose))
        try reader.finish()
    }

    // MARK: - Bool switches

    func testBoolSwitchForms() throws {
        let flag = Setting.bool("dev-mode", env: "DEV_MODE", default: false, help: "Development mode.")
        let cases: [([String], [String: String], Bool)] = [
            (["--dev-mode"], [:], true),
            (["--dev-mode=false"], [:], false),
            (["--dev-mode=yes"], [:], true),
            ([], ["DEV_MODE": "on"], true),
            ([], ["DEV_MODE": "0"], false),
            (["--dev-mode=false"], ["DEV_MODE": "true"], false),
            ([], [:], false),
        ]
        for (arguments, environment, expected) in cases {
            var reader = ConfigReader(arguments: arguments, environment: environment)
            XCTAssertEqual(reader.read(flag), expected, "\(arguments) \(environment)")
            try reader.finish()
        }
    }

    func testBoolSwitchDoesNotSwallowTheNextArgument() {
        let flag = Setting.bool("dev-mode", env: "DEV_MODE", default: false, help: "Development mode.")
        var reader = ConfigReader(arguments: ["--dev-mode", "false"], environment: [:])
        XCTAssertTrue(reader.read(flag))
        XCTAssertThrowsError(try reader.finish()) { error in
            XCTAssertEqual("\(error)", #"unexpected argument "false""#)
        }
    }

    // MARK: - Errors

    func testInvalidFlagValueIsOneLineNamingTheSetting() {
        var reader = ConfigReader(arguments: ["--admin-port", "abc"], environment: [:])
        XCTAssertEqual(reader.read(port), 9090, "an invalid value falls back to the default")
        assertFinishFails(
            reader,
            #"invalid value "abc" for --admin-port (ADMIN_PORT): expected a port number 1-65535"#
        )
    }

    func testInvalidEnvironmentValueNamesTheVariableFirst() {
        var reader = ConfigReader(arguments: [], environment: ["ADMIN_PORT": "70000"])
        _ = reader.read(port)
        assertFinishFails(
            reader,
            #"invalid value "70000" in ADMIN_PORT (--admin-port): expected a port number 1-65535"#
        )
    }

    func testEveryKindReportsItsExpectation() {
        let cases: [(String, (inout ConfigReader) -> Void, String)] = [
            (
                "--workers=0",
                { _ = $0.read(.int("workers", env: "WORKERS", default: 4, range: 1...64, help: "Workers.")) },
                #"invalid value "0" for --workers (WORKERS): expected an integer 1-64"#
            ),
            (
                "--limit=ten",
                { _ = $0.read(.int("limit", env: "LIMIT", default: 10, help: "Limit.")) },
                #"invalid value "ten" for --limit (LIMIT): expected an integer"#
            ),
            (
                "--dev=maybe",
                { _ = $0.read(.bool("dev", env: "DEV", default: false, help: "Dev.")) },
                #"invalid value "maybe" for --dev (DEV): expected true or false"#
            ),
            (
                "--timeout=5 s",
                { _ = $0.read(.duration("timeout", env: "TIMEOUT", default: .seconds(1), help: "Timeout.")) },
                #"invalid value "5 s" for --timeout (TIMEOUT): expected a duration like 250ms, 30s, 2m or 1h"#
            ),
            (
                "--log-format=xml",
                { _ = $0.read(.choice("log-format", env: "LOG_FORMAT", default: LogFormat.text, help: "Format.")) },
                #"invalid value "xml" for --log-format (LOG_FORMAT): expected one of text, json"#
            ),
            (
                "--upstream=localhost",
                {
                    _ = $0.read(
                        .hostPort(
                            "upstream", env: "UPSTREAM", default: HostPort(host: "127.0.0.1", port: 80),
                            help: "Upstream."))
                },
                #"invalid value "localhost" for --upstream (UPSTREAM): expected host:port with a port 1-65535"#
            ),
        ]
        for (argument, read, expected) in cases {
            var reader = ConfigReader(arguments: [argument], environment: [:])
            read(&reader)
            assertFinishFails(reader, expected)
        }
    }

    func testMissingValue() {
        var reader = ConfigReader(arguments: ["--admin-port"], environment: [:])
        _ = reader.read(port)
        assertFinishFails(reader, "missing value for --admin-port (ADMIN_PORT): expected a port number 1-65535")
    }

    func testAFollowingFlagIsNotTakenAsAValue() {
        let verbose = Setting.bool("verbose", env: "VERBOSE", default: false, help: "Chatty.")
        var reader = ConfigReader(arguments: ["--admin-port", "--verbose"], environment: [:])
        _ = reader.read(port)
        XCTAssertTrue(reader.read(verbose))
        assertFinishFails(reader, "missing value for --admin-port (ADMIN_PORT): expected a port number 1-65535")
    }

    func testUnknownFlagsAndStrayArguments() {
        var reader = ConfigReader(arguments: ["--admin-prot=1", "-x", "stray"], environment: [:])
        _ = reader.read(port)
        assertFinishFails(reader, #"unknown flag --admin-prot; unknown flag -x; unexpected argument "stray""#)
    }

    func testValuesWithLineBreaksStayOnOneLine() {
        var reader = ConfigReader(arguments: [], environment: ["ADMIN_PORT": "80\n\"81\""])
        _ = reader.read(port)
        assertFinishFails(
            reader,
            #"invalid value "80\n\"81\"" in ADMIN_PORT (--admin-port): expected a port number 1-65535"#
        )
    }

    func testRejectRecordsCrossSettingProblems() {
        var reader = ConfigReader(arguments: [], environment: [:])
        _ = reader.read(port)
        reader.reject(port, because: "must differ from --rpc-port")
        assertFinishFails(reader, "invalid --admin-port (ADMIN_PORT): must differ from --rpc-port")
    }

    func testAllProblemsAreReportedTogether() {
        var reader = ConfigReader(arguments: ["--admin-port=x", "--nope"], environment: ["WORKERS": "-1"])
        _ = reader.read(port)
        _ = reader.read(.int("workers", env: "WORKERS", default: 1, range: 1...8, help: "Workers."))
        assertFinishFails(
            reader,
            #"invalid value "x" for --admin-port (ADMIN_PORT): expected a port number 1-65535; "#
                + #"invalid value "-1" in WORKERS (--workers): expected an integer 1-8; unknown flag --nope"#
        )
    }

    // MARK: - Help

    func testHelpIsDetectedAndNotAnUnknownFlag() throws {
        for argument in ["--help", "-h"] {
            var reader = ConfigReader(arguments: [argument], environment: [:])
            _ = reader.read(port)
            XCTAssertTrue(reader.isHelpRequested)
            try reader.finish()
        }
        XCTAssertFalse(ConfigReader(arguments: [], environment: [:]).isHelpRequested)
    }

    func testHelpListsEverySettingReadWithFlagEnvDefaultAndHelp() {
        var reader = ConfigReader(arguments: ["--help"], environment: ["ADMIN_PORT": "1234"])
        _ = CommonSettings.read(from: &reader, defaultAdminPort: 9102)
        _ = reader.read(.bool("dev-mode", env: "DEV_MODE", default: false, help: "Serve without the edge."))
        _ = reader.read(.port("rpc-port", env: "RPC_PORT", default: 7102, help: "RPC listen port."))
        let help = reader.helpText(name: "data", summary: "Owns the database.")

        XCTAssertTrue(help.hasPrefix("data — Owns the database.\n"))
        XCTAssertEqual(
            reader.documented.map(\.name),
            [
                "admin-host", "admin-port", "log-level", "log-format", "drain-timeout", "event-loop-threads", "task-executor",
                "supervisor-pid", "otlp-endpoint", "trace-sample-ratio",
                "dev-mode", "rpc-port",
            ])
        for expected in [
            "  --admin-host <host>\n", "env ADMIN_HOST, default 0.0.0.0\n",
            // The default shown is the service's default, not the value the environment happens to hold.
            "  --admin-port <port>\n", "env ADMIN_PORT, default 9102\n",
            "  --log-level <trace|debug|info|notice|warning|error|critical>\n", "env LOG_LEVEL, default info\n",
            "  --log-format <text|json>\n", "env LOG_FORMAT, default text\n",
            "  --drain-timeout <duration>\n", "env DRAIN_TIMEOUT, default 30s\n",
            "  --event-loop-threads <int>\n", "env EVENT_LOOP_THREADS, default 0\n",
            "  --task-executor <event-loops|cooperative>\n", "env TASK_EXECUTOR, default event-loops\n",
            "  --dev-mode[=<bool>]\n      Serve without the edge.\n      env DEV_MODE, default false\n",
            "  --rpc-port <port>\n      RPC listen port.\n      env RPC_PORT, default 7102\n",
            "  -h, --help\n",
        ] {
            XCTAssertTrue(help.contains(expected), "help lacks \(expected.debugDescription):\n\(help)")
        }
    }

    func testSettingReadTwiceIsDocumentedOnce() {
        var reader = ConfigReader(arguments: [], environment: [:])
        _ = reader.read(port)
        _ = reader.read(port)
        XCTAssertEqual(reader.documented.map(\.name), ["admin-port"])
    }

    // MARK: - Common settings

    func testCommonSettingsDefaults() throws {
        var reader = ConfigReader(arguments: [], environment: [:])
        let settings = CommonSettings.read(from: &reader, defaultAdminPort: 9101)
        try reader.finish()
        XCTAssertEqual(settings, CommonSettings(adminHost: "0.0.0.0", adminPort: 9101))
        XCTAssertEqual(settings.logLevel, .info)
        XCTAssertEqual(settings.logFormat, .text)
        XCTAssertEqual(settings.drainTimeout, .seconds(30))
        XCTAssertEqual(settings.threading, ThreadingSettings(eventLoopThreads: 0, taskExecutor: .eventLoops))
    }

    func testCommonSettingsFromFlagsAndEnvironment() throws {
        var reader = ConfigReader(
            arguments: ["--log-level=DEBUG", "--drain-timeout", "250ms", "--admin-host", "127.0.0.1", "--event-loop-threads", "1"],
            environment: ["LOG_FORMAT": "json", "ADMIN_PORT": "9999", "TASK_EXECUTOR": "cooperative"]
        )
        let settings = CommonSettings.read(from: &reader, defaultAdminPort: 9101)
        try reader.finish()
        XCTAssertEqual(
            settings,
            CommonSettings(
                adminHost: "127.0.0.1", adminPort: 9999, logLevel: .debug, logFormat: .json,
                drainTimeout: .milliseconds(250), threading: ThreadingSettings(eventLoopThreads: 1, taskExecutor: .cooperative))
        )
    }

    private func assertFinishFails(
        _ reader: ConfigReader,
        _ expected: String,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        do {
            try reader.finish()
            XCTFail("expected a configuration error", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, expected, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
        }
    }
}
