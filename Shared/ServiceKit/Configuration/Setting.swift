/// One configuration value a service reads: its flag, its environment variable, its default,
/// a help line, and how to parse it from text.
///
/// Settings are declared where they are read (`reader.read(.port(...))`), so the help text
/// generated from the settings actually read can never drift from what the service uses.
public struct Setting<Value: Sendable>: Sendable {
    /// The flag name without leading dashes: `admin-port` is given as `--admin-port`.
    public let name: String
    /// The environment variable, without a service prefix, e.g. `ADMIN_PORT`.
    public let env: String
    public let defaultValue: Value
    /// One line for `--help`.
    public let help: String
    /// What the value looks like in `--help`, e.g. `<port>`.
    public let placeholder: String
    /// Completes "expected …" in error messages, e.g. `a port number 1-65535`.
    public let expected: String
    /// A switch may be given as a bare `--name`, meaning `true`; it never consumes the next
    /// argument, so `--verbose extra` cannot silently swallow `extra`.
    public let isSwitch: Bool
    /// A secret's text never appears in error messages.
    public let isSecret: Bool
    /// The default as `--help` shows it, written in the same syntax the parser accepts.
    public let defaultDescription: String
    /// Returns nil for text that is not a valid value; the reader turns that into an error
    /// naming this setting.
    public let parse: @Sendable (String) -> Value?

    public var flag: String { "--" + name }

    public init(
        _ name: String,
        env: String,
        default defaultValue: Value,
        help: String,
        placeholder: String,
        expected: String,
        isSwitch: Bool = false,
        isSecret: Bool = false,
        defaultDescription: String? = nil,
        parse: @escaping @Sendable (String) -> Value?
    ) {
        self.name = name
        self.env = env
        self.defaultValue = defaultValue
        self.help = help
        self.placeholder = placeholder
        self.expected = expected
        self.isSwitch = isSwitch
        self.isSecret = isSecret
        self.defaultDescription = defaultDescription ?? "\(defaultValue)"
        self.parse = parse
    }
}
