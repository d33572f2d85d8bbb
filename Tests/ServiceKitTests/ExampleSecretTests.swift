import Foundation
import ServiceKit
import XCTest

final class ExampleSecretTests: XCTestCase {
    func testMarkersAreRecognisedInAnyCase() {
        for example in ["change-me", "CHANGE-ME-please", "x-changeme-x", "replace-with-32-bytes", "my-PLACEHOLDER", "replace_me"] {
            XCTAssertTrue(ExampleSecret.isExample(example), example)
        }
        for real in ["9f2b7c0e4d8a1b3c5e7f9a0b2c4d6e8f", "b4Jx+QmA0z/8w1kLr9VtYc2p", ""] {
            XCTAssertFalse(ExampleSecret.isExample(real), real)
        }
    }

    func testASecretSettingRefusesExamplesWithoutEchoingThem() throws {
        let setting = Setting<String>.secret("jwt-secret", env: "JWT_SECRET", help: "Key.")
        var reader = ConfigReader(arguments: [], environment: ["JWT_SECRET": "replace-with-at-least-32-random-bytes"])
        _ = reader.read(setting)
        XCTAssertThrowsError(try reader.finish()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("JWT_SECRET") && message.contains("example value"), message)
            XCTAssertFalse(message.contains("replace-with"), "the secret was echoed: \(message)")
        }

        var accepted = ConfigReader(arguments: ["--jwt-secret", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"], environment: [:])
        XCTAssertEqual(accepted.read(setting), "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        XCTAssertNoThrow(try accepted.finish())
        XCTAssertEqual(setting.defaultDescription, "none")
    }

    /// Every literal secret the repository's deployment files and documentation show must be
    /// one the services refuse: a deployment that keeps an example must not start.
    func testEveryLiteralSecretInTheRepositorysDeploymentFilesIsRefused() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files = [root.appendingPathComponent("docker-compose.yml"), root.appendingPathComponent("README.md")]
        for folder in ["deploy", "docs"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let file = enumerator?.nextObject() as? URL {
                if ["yaml", "yml", "md", "env", "example"].contains(file.pathExtension) { files.append(file) }
            }
        }
        // `NAME: value`, `NAME=value` (not `${NAME:?…}`), and the password inside a postgres:// URL.
        let assignment = try NSRegularExpression(
            pattern: #"(?<![{$])(?:JWT_SECRET|RPC_SECRET|POSTGRES_PASSWORD|PGPASSWORD)["']?\s*[:=]\s*["']?([^\s"']+)"#)
        let urlPassword = try NSRegularExpression(pattern: #"postgres(?:ql)?://[^:/@\s]+:([^@\s]+)@"#)
        var checked = 0
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            for expression in [assignment, urlPassword] {
                for match in expression.matches(in: text, range: range) {
                    guard let valueRange = Range(match.range(at: 1), in: text) else { continue }
                    let value = String(text[valueRange])
                    // Variables, command substitutions and <placeholders> are not literal secrets.
                    if value.hasPrefix("$") || value.hasPrefix("<") || value.hasPrefix("{") || value.hasPrefix("`")
                        || value.hasPrefix("***")
                    {
                        continue
                    }
                    checked += 1
                    XCTAssertTrue(
                        ExampleSecret.isExample(value),
                        "\(file.lastPathComponent) shows the secret \(value), which the services would accept")
                }
            }
        }
        XCTAssertGreaterThan(files.count, 3, "the repository's deployment files were not found")
        XCTAssertGreaterThan(checked, 0, "no literal secret found: the scan is not looking where the examples are")
    }
}
