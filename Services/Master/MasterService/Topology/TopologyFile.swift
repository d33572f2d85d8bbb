public import Foundation

/// The topology as a JSON file (`master --topology FILE`). JSON because Foundation decodes it
/// without a new dependency, and the master, unlike the edge and worker, may use Foundation.
///
/// ```json
/// {
///   "root": "../..",
///   "services": [
///     { "name": "store", "ports": { "rpc": 7300, "admin": 9300 } },
///     { "name": "api", "instances": 2, "ports": { "rpc": 7200, "admin": 9200 }, "peers": ["store"],
///       "sources": ["Services/API", "Shared"], "build": "swift build --product api" }
///   ]
/// }
/// ```
///
/// Unknown fields are errors, so a misspelt one is not silently ignored. Relative paths
/// (`sources`, an `executable` with a slash, and where `build` runs) are taken from `root`,
/// itself relative to the file's folder (default: that folder); an `executable` without a
/// slash (default: the service's name) is looked for beside the master's own executable.
public enum TopologyFile {
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(path: String, executableFolder: String) throws(LoadError) -> Topology {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try decode(data, folder: folder, executableFolder: executableFolder)
    }

    /// - Parameter folder: The folder relative paths in the document start from.
    public static func decode(_ data: Data, folder: String, executableFolder: String) throws(LoadError) -> Topology {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw LoadError(description: describe(error))
        } catch {
            throw LoadError(description: "\(error)")
        }
        let root = resolve(document.root ?? ".", against: folder)
        return Topology(services: document.services.map { $0.spec(root: root, executableFolder: executableFolder) })
    }

    static func resolve(_ path: String, against folder: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: folder).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    private static func describe(_ error: DecodingError) -> String {
        func location(_ path: [any CodingKey]) -> String {
            let text = path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "the document" : text)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(location(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(location(context.codingPath)) must be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(location(context.codingPath)) must be \(describe(type)), not null"
        case .dataCorrupted(let context):
            let cause = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(location(context.codingPath)): \(context.debugDescription)\(cause)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        default: "\(type)"
        }
    }
}

// MARK: - The document

extension TopologyFile {
    private struct Document: Decodable {
        var root: String?
        var services: [Service]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case root, services
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            root = try container.decodeIfPresent(String.self, forKey: .root)
            services = try container.decode([Service].self, forKey: .services)
        }
    }

    private struct Service: Decodable {
        var name: String
        var executable: String?
        var instances: Int?
        var ports: Ports
        var arguments: [String]?
        var environment: [String: String]?
        var peers: [Peer]?
        var requestMetric: String?
        var recycle: Recycle?
        var reload: Bool?
        var sources: [String]?
        var build: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, executable, instances, ports, arguments, environment, peers, requestMetric, recycle, reload, sources, build
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            executable = try container.decodeIfPresent(String.self, forKey: .executable)
            instances = try container.decodeIfPresent(Int.self, forKey: .instances)
            ports = try container.decode(Ports.self, forKey: .ports)
            arguments = try container.decodeIfPresent([String].self, forKey: .arguments)
            environment = try container.decodeIfPresent([String: String].self, forKey: .environment)
            peers = try container.decodeIfPresent([Peer].self, forKey: .peers)
            requestMetric = try container.decodeIfPresent(String.self, forKey: .requestMetric)
            recycle = try container.decodeIfPresent(Recycle.self, forKey: .recycle)
            reload = try container.decodeIfPresent(Bool.self, forKey: .reload)
            sources = try container.decodeIfPresent([String].self, forKey: .sources)
            build = try container.decodeIfPresent(String.self, forKey: .build)
        }

        func spec(root: String, executableFolder: String) -> ServiceSpec {
            let program = executable ?? name
            let path =
                program.contains("/")
                ? TopologyFile.resolve(program, against: root) : URL(fileURLWithPath: executableFolder).appendingPathComponent(program).path
            let watch =
                sources == nil && build == nil
                ? nil
                : WatchSpec(
                    sources: (sources ?? []).map { TopologyFile.resolve($0, against: root) }, build: build ?? "",
                    workingDirectory: root)
            return ServiceSpec(
                name: ServiceName(name), executable: path, instances: instances ?? 1,
                ports: ServicePorts(rpcBase: ports.rpc, adminBase: ports.admin, httpBase: ports.http),
                arguments: arguments ?? [], environment: environment ?? [:], peers: (peers ?? []).map(\.link),
                requestMetric: requestMetric ?? "",
                recycle: RecyclePolicy(
                    maximumRequests: recycle?.requests ?? 0, maximumResidentBytes: (recycle?.memoryMiB ?? 0) << 20),
                reload: reload, watch: watch)
        }
    }

    private struct Ports: Decodable {
        var rpc: Int?
        var http: Int?
        var admin: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case rpc, http, admin
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            rpc = try container.decodeIfPresent(Int.self, forKey: .rpc)
            http = try container.decodeIfPresent(Int.self, forKey: .http)
            admin = try container.decode(Int.self, forKey: .admin)
        }
    }

    /// `"store"`, or `{"service": "store", "flag": "--store-address"}`, or
    /// `{"service": "store", "env": "STORE_TARGET"}`.
    private struct Peer: Decodable {
        var link: PeerLink

        enum CodingKeys: String, CodingKey, CaseIterable {
            case service, flag, env
        }

        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                link = PeerLink(ServiceName(name))
                return
            }
            try decoder.rejectUnknownFields(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let service = ServiceName(try container.decode(String.self, forKey: .service))
            let flag = try container.decodeIfPresent(String.self, forKey: .flag)
            let env = try container.decodeIfPresent(String.self, forKey: .env)
            switch (flag, env) {
            case (let flag?, nil): link = PeerLink(service, delivery: .flag(flag))
            case (nil, let env?): link = PeerLink(service, delivery: .environment(env))
            case (nil, nil): link = PeerLink(service)
            case (.some, .some):
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "give flag or env, not both"))
            }
        }
    }

    private struct Recycle: Decodable {
        var requests: Int?
        var memoryMiB: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case requests, memoryMiB
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            requests = try container.decodeIfPresent(Int.self, forKey: .requests)
            memoryMiB = try container.decodeIfPresent(Int.self, forKey: .memoryMiB)
        }
    }
}

private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

extension Decoder {
    /// Throws for a field the type does not know, naming it.
    fileprivate func rejectUnknownFields<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [key],
                    debugDescription: "unknown field (known: \(Keys.allCases.map(\.stringValue).joined(separator: ", ")))"))
        }
    }
}
