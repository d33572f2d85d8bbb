import Logging
import ServiceKit
import ServiceLifecycle
import XCTest

/// `ServiceMain.run` exits the process, so it cannot run inside the test process. This file
/// checks at compile time that the call executables make compiles from a `@MainActor`
/// `main`, with a non-Sendable configuration type, under strict concurrency.
final class ServiceMainShapeTests: XCTestCase {
    func testEntryPointShapeCompiles() {
        let entryPoint: @MainActor () async -> Never = exampleMain
        _ = entryPoint
    }
}

/// A configuration type that is deliberately not Sendable.
private final class ExampleConfig {
    var rpcPort: Int

    init(rpcPort: Int) {
        self.rpcPort = rpcPort
    }
}

private struct ExampleServer: Service {
    let port: Int

    func run() async throws {
        try await gracefulShutdown()
    }
}

@MainActor
private func exampleMain() async -> Never {
    await ServiceMain.run(name: "example", summary: "Shows the entry point.", defaultAdminPort: 9199) { reader in
        ExampleConfig(rpcPort: reader.read(.port("rpc-port", env: "RPC_PORT", default: 7199, help: "RPC port.")))
    } start: { config, environment in
        environment.readiness.set("rpc", ready: false)
        environment.logger.info("configured", metadata: ["rpc-port": "\(config.rpcPort)"])
        return [ExampleServer(port: config.rpcPort)]
    }
}
