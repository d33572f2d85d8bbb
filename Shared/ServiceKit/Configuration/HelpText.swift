/// Renders `--help` from the settings a service actually read.
enum HelpText {
    static func render(name: String, summary: String, settings: [SettingDescription]) -> String {
        var lines = [
            "\(name) — \(summary)",
            "",
            "Usage: \(name) [options]",
            "       \(name) healthcheck [--admin-host <host>] [--admin-port <port>]",
            "           Exit 0 if the running service's GET /readyz answers 200, else 1 (for container health checks).",
            "",
            "Each option can also be set by its environment variable. A flag wins over the",
            "environment, which wins over the default. Durations take ms, s, m or h (bare = s).",
            "",
            "Options:",
        ]
        for setting in settings {
            let separator = setting.placeholder.hasPrefix("[") ? "" : " "
            lines.append("  --\(setting.name)\(separator)\(setting.placeholder)")
            lines.append("      \(setting.help)")
            lines.append("      env \(setting.env), default \(setting.defaultDescription)")
        }
        lines.append("  -h, --help")
        lines.append("      Show this help and exit.")
        return lines.joined(separator: "\n") + "\n"
    }
}
