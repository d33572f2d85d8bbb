// Ready-made setting kinds. Each one owns its parser, its "expected …" wording and how its
// default is shown, so every service reports bad input the same way.

public import RPC

extension Setting where Value == Int {
    /// A whole number, optionally limited to `range`.
    public static func int(
        _ name: String,
        env: String,
        default defaultValue: Int,
        range: ClosedRange<Int>? = nil,
        help: String
    ) -> Setting {
        let expected = range.map { "an integer \($0.lowerBound)-\($0.upperBound)" } ?? "an integer"
        return Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "<int>", expected: expected
        ) { text in
            guard let value = Int(text), range?.contains(value) ?? true else { return nil }
            return value
        }
    }

    /// A TCP port, 1-65535.
    public static func port(_ name: String, env: String, default defaultValue: Int, help: String) -> Setting {
        Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "<port>", expected: "a port number 1-65535"
        ) { text in
            guard let value = Int(text), (1...65535).contains(value) else { return nil }
            return value
        }
    }
}

extension Setting where Value == String {
    /// Free text; any value is accepted.
    public static func string(
        _ name: String,
        env: String,
        default defaultValue: String,
        placeholder: String = "<text>",
        help: String
    ) -> Setting {
        Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: placeholder, expected: "text",
            defaultDescription: defaultValue.isEmpty ? "\"\"" : defaultValue
        ) { $0 }
    }
}

extension Setting where Value == Bool {
    /// A switch: `--name` alone means true; `--name=false` and the environment take
    /// true/false, yes/no, on/off or 1/0.
    public static func bool(_ name: String, env: String, default defaultValue: Bool, help: String) -> Setting {
        Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "[=<bool>]", expected: "true or false", isSwitch: true
        ) { text in
            switch text.lowercased() {
            case "true", "yes", "on", "1": true
            case "false", "no", "off", "0": false
            default: nil
            }
        }
    }
}

extension Setting where Value == Duration {
    /// A duration such as `250ms`, `30s`, `2m` or `1h`; a bare number means seconds.
    public static func duration(
        _ name: String,
        env: String,
        default defaultValue: Duration,
        help: String
    ) -> Setting {
        Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "<duration>", expected: "a duration like 250ms, 30s, 2m or 1h",
            defaultDescription: DurationText.format(defaultValue),
            parse: DurationText.parse
        )
    }
}

extension Setting where Value == HostPort {
    /// A `host:port` pair; IPv6 hosts are written in brackets, `[::1]:8080`.
    public static func hostPort(
        _ name: String,
        env: String,
        default defaultValue: HostPort,
        help: String
    ) -> Setting {
        Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "<host:port>", expected: "host:port with a port 1-65535",
            parse: HostPort.init(parsing:)
        )
    }
}

extension Setting where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enum's cases, by raw value (case-insensitive).
    public static func choice(
        _ name: String,
        env: String,
        default defaultValue: Value,
        help: String
    ) -> Setting {
        let names = Value.allCases.map(\.rawValue)
        return Setting(
            name, env: env, default: defaultValue, help: help,
            placeholder: "<" + names.joined(separator: "|") + ">",
            expected: "one of " + names.joined(separator: ", "),
            defaultDescription: defaultValue.rawValue
        ) { text in
            let wanted = text.lowercased()
            return Value.allCases.first { $0.rawValue.lowercased() == wanted }
        }
    }
}
