import AppServer
import Hummingbird
import Logging
import RPC
public import ServiceKit
import ServiceLifecycle

/// The worker: the Microposts REST API. The edge forwards HTTP requests to it as RPC calls
/// (the HTTP envelope); it answers them through a Hummingbird router, calling the data
/// service over RPC. With `--http` the same router also listens on plain HTTP.
public enum WorkerService {
    public static let defaultAdminPort = 9101
    public static let defaultRPCPort = 7101

    public typealias Configuration = WorkerConfiguration

    public static func configure(_ reader: inout ConfigReader) -> Configuration {
        WorkerConfiguration.read(from: &reader)
    }

    public static func main() async -> Never {
        await ServiceMain.run(
            name: "worker", summary: "Microposts worker: the REST API behind the edge, reached over RPC.",
            defaultAdminPort: defaultAdminPort, configure: configure
        ) { configuration, environment in
            services(configuration, environment: environment)
        }
    }

    /// In dependency order: the data client first, so it stops last — after the RPC and HTTP
    /// servers have finished their in-flight requests, which still call it.
    static func services(_ configuration: Configuration, environment: ServiceEnvironment) -> [any Service] {
        if configuration.jwtSecret.isGenerated {
            environment.logger.warning(
                "JWT_SECRET is not set: signing tokens with a random key made for this process. Tokens will not work on other workers or after a restart. Set --jwt-secret/JWT_SECRET (the same on every worker) in any real deployment."
            )
        }
        let dataClient = RPCClient(
            target: configuration.dataTarget, configuration: configuration.dataClient, tracer: environment.tracer,
            headSampler: environment.headSampler, logger: Logger(label: "worker.data-client"))
        let components = WorkerComponents(configuration: configuration, dataClient: dataClient)

        var rpcRouter = RPCRouter()
        EnvelopeResponder(responder: components.responder).register(on: &rpcRouter)
        var services: [any Service] = [dataClient, environment.makeRPCServer(configuration: configuration.rpcServer, router: rpcRouter)]
        if let address = configuration.http {
            services.append(DirectHTTPServer.make(address: address, api: components.responder, logger: Logger(label: "worker.http")))
        }
        return services
    }
}

/// The worker's request-serving parts, built from configuration and a data-service client;
/// tests build it against a fake data service.
struct WorkerComponents: Sendable {
    let api: MicropostsAPI
    let responder: RouterResponder<AppRequestContext>

    init(configuration: WorkerConfiguration, dataClient: RPCClient, clock: WallClock = .system) {
        let data = DataClient(rpc: dataClient, timeout: configuration.dataClient.defaultTimeout)
        let tokens = HS256Token(secret: configuration.jwtSecret.bytes)
        let authenticator = Authenticator(
            tokens: tokens, revocations: RevocationCache(), verified: VerifiedTokenCache(), data: data, clock: clock)
        let throttle = { (action: String, perMinute: Int) -> AddressThrottle? in
            perMinute > 0
                ? AddressThrottle(action: action, perMinute: perMinute, maximumAddresses: configuration.throttleMaximumAddresses) : nil
        }
        api = MicropostsAPI(
            data: data, authenticator: authenticator,
            issuer: TokenIssuer(tokens: tokens, lifetime: configuration.tokenLifetime, clock: clock),
            throttles: CredentialThrottles(
                login: throttle("login", configuration.loginAttemptsPerAddress),
                registration: throttle("register", configuration.registrationsPerAddress)))
        responder = api.routes.makeRouter(authenticator: authenticator).buildResponder()
    }
}
