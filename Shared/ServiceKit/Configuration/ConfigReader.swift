#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Reads settings from command-line flags and environment variables (twelve-factor).
///
/// A flag wins over the environment, which wins over the setting's default. Reading never
/// fails: an invalid value yields the default and is recorded, and ``finish()`` reports every
/// problem at once, along with any argument no setting claimed.
///
/// ```swift
/// var reader = ConfigReader()
/// let port = reader.read(.port("admin-port", env: "ADMIN_PORT", default: 9090, help: "Admin HTTP port."))
/// try reader.finish()
/// ```
public struct ConfigReader: Sendable {
    private let arguments: [String]
    private let environment: [String: String]
    /// Indices of arguments a read has claimed, as a flag or as a flag's value.
    private var claimed: Set<Int> = []
    private var problems: [String] = []
    /// Settings in the order first read, for `--help`.
    public private(set) var documented: [SettingDescription] = []
    /// True when `--help` or `-h` was given; the caller prints ``helpText(name:summary:)``
    /// and exits instead of starting.
    public let isHelpRequested: Bool

    public init(
        arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.arguments = arguments
        self.environment = environment
        // Only arguments before `--` are options; a literal "--help" after it is not a request for help.
        let options = arguments.prefix { $0 != "--" }
        var helpIndices: Set<Int> = []
        for (index, argument) in options.enumerated() where argument == "--help" || argument == "-h" {
            helpIndices.insert(index)
        }
        self.isHelpRequested = !helpIndices.isEmpty
        self.claimed = helpIndices
    }

    /// The setting's value: from its flag, else its environment variable, else its default.
    /// An environment variable set to the empty string counts as unset, because that is how
    /// compose files and manifests commonly "unset" a variable.
    public mutating func read<Value>(_ setting: Setting<Value>) -> Value {
        document(setting)
        if let flagValue = takeFlag(setting) {
            return parse(flagValue, for: setting, source: .flag)
        }
        if let envValue = environment[setting.env], !envValue.isEmpty {
            return parse(envValue, for: setting, source: .environment)
        }
        return setting.defaultValue
    }

    /// Records a problem the reader cannot see itself, such as two settings that contradict
    /// each other, so it is reported with all others by ``finish()``.
    public mutating func reject<Value>(_ setting: Setting<Value>, because reason: String) {
        problems.append("invalid \(setting.flag) (\(setting.env)): \(reason)")
    }

    /// Throws a ``ConfigurationError`` listing every invalid value and every argument that
    /// no setting read, so a mistyped flag is an error rather than silently ignored.
    public func finish() throws(ConfigurationError) {
        var all = problems
        for (index, argument) in arguments.enumerated() where !claimed.contains(index) {
            if argument == "--" { continue }
            if argument.hasPrefix("-") && argument.count > 1 && isBeforeSeparator(index) {
                let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
                all.append("unknown flag \(name)")
            } else {
                all.append("unexpected argument \(argument.quotedForMessage)")
            }
        }
        if !all.isEmpty {
            throw ConfigurationError(problems: all)
        }
    }

    /// Help generated from the settings read so far; call it after all settings are read.
    public func helpText(name: String, summary: String) -> String {
        HelpText.render(name: name, summary: summary, settings: documented)
    }

    // MARK: - Private

    private enum Source { case flag, environment }

    private func isBeforeSeparator(_ index: Int) -> Bool {
        !arguments[..<index].contains("--")
    }

    private mutating func document<Value>(_ setting: Setting<Value>) {
        guard !documented.contains(where: { $0.name == setting.name }) else { return }
        documented.append(SettingDescription(setting))
    }

    /// Claims every occurrence of the setting's flag; the last one wins, so a wrapper script
    /// can append an override to a fixed argument list.
    private mutating func takeFlag<Value>(_ setting: Setting<Value>) -> String? {
        var value: String?
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            defer { index += 1 }
            guard !claimed.contains(index) else { continue }
            let argument = arguments[index]
            if argument == setting.flag {
                claimed.insert(index)
                if setting.isSwitch {
                    value = "true"
                } else if index + 1 < arguments.count, !claimed.contains(index + 1),
                    !arguments[index + 1].hasPrefix("--")
                {
                    // A following flag is never taken as a value: `--port --verbose` is far
                    // more likely a forgotten value than a port named "--verbose".
                    claimed.insert(index + 1)
                    value = arguments[index + 1]
                    index += 1
                } else {
                    problems.append("missing value for \(setting.flag) (\(setting.env)): expected \(setting.expected)")
                }
            } else if argument.hasPrefix(setting.flag + "=") {
                claimed.insert(index)
                value = String(argument.dropFirst(setting.flag.count + 1))
            }
        }
        return value
    }

    private mutating func parse<Value>(_ text: String, for setting: Setting<Value>, source: Source) -> Value {
        if let value = setting.parse(text) {
            return value
        }
        let origin =
            switch source {
            case .flag: "for \(setting.flag) (\(setting.env))"
            case .environment: "in \(setting.env) (\(setting.flag))"
            }
        let shown = setting.isSecret ? "" : "\(text.quotedForMessage) "
        problems.append("invalid value \(shown)\(origin): expected \(setting.expected)")
        return setting.defaultValue
    }
}
