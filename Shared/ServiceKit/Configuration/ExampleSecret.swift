/// Recognises the example values that documentation and sample deployment files put where a
/// secret belongs. Whoever reads the repository knows them, so a deployment that kept one is
/// open to anyone: a service refuses them at start instead of running with them.
///
/// Every placeholder this repository ships contains one of the markers below; a test reads the
/// repository's deployment files and checks that each one is refused.
public enum ExampleSecret {
    static let markers = ["change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me", "replace-with", "placeholder"]

    /// True when `value` is, or contains, one of the example markers (in any letter case).
    public static func isExample(_ value: String) -> Bool {
        let lowered = value.lowercased()
        return markers.contains { lowered.firstRange(of: $0) != nil }
    }
}

extension Setting where Value == String {
    /// A secret: any text except an example value (see ``ExampleSecret``); never shown in `--help`.
    public static func secret(_ name: String, env: String, help: String) -> Setting {
        Setting(
            name, env: env, default: "", help: help,
            placeholder: "<secret>", expected: "a secret of your own, not an example value from the documentation",
            isSecret: true, defaultDescription: "none"
        ) { text in
            ExampleSecret.isExample(text) ? nil : text
        }
    }
}
