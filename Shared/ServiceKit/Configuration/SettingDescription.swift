/// What `--help` says about one setting, independent of its value type.
public struct SettingDescription: Sendable, Equatable {
    public let name: String
    public let env: String
    public let placeholder: String
    public let defaultDescription: String
    public let help: String

    init<Value>(_ setting: Setting<Value>) {
        self.name = setting.name
        self.env = setting.env
        self.placeholder = setting.placeholder
        self.defaultDescription = setting.defaultDescription
        self.help = setting.help
    }
}
