package netwatcher.controller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.admin.AdminRoutes;
import netwatcher.controller.agents.AgentRepository;
import netwatcher.controller.agents.AgentRoutes;
import netwatcher.controller.agents.AgentService;
import netwatcher.controller.agents.Presence;
import netwatcher.controller.capture.CaptureRepository;
import netwatcher.controller.capture.CaptureRoutes;
import netwatcher.controller.capture.CaptureService;
import netwatcher.controller.compute.ComputeRepository;
import netwatcher.controller.compute.ComputeRoutes;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.connectivity.CheckRepository;
import netwatcher.controller.console.ConsoleRoutes;
import netwatcher.controller.console.ConsoleSessions;
import netwatcher.controller.connectivity.CheckRoutes;
import netwatcher.controller.connectivity.CheckService;
import netwatcher.controller.capture.live.PeerRelays;
import netwatcher.controller.cluster.ControllerRegistry;
import netwatcher.controller.cluster.DatabasePresence;
import netwatcher.controller.cluster.PeerTokens;
import netwatcher.controller.cluster.Leadership;
import netwatcher.controller.cluster.OrderWakeups;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.health.HealthRoutes;
import netwatcher.controller.http.HttpServer;
import netwatcher.controller.http.Router;
import netwatcher.controller.operations.OperationRepository;
import netwatcher.controller.operations.OperationRoutes;
import netwatcher.controller.operations.OperationService;
import netwatcher.controller.routetables.RouteTableRoutes;
import netwatcher.controller.routetables.RouteTableService;
import netwatcher.controller.security.SecurityWiring;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageRoutes;
import netwatcher.controller.storage.StorageService;
import netwatcher.controller.subscriptions.Subscription;
import netwatcher.controller.subscriptions.SubscriptionRepository;
import netwatcher.controller.evidence.EvidenceRepository;
import netwatcher.controller.evidence.EvidenceRoutes;
import netwatcher.controller.evidence.EvidenceService;
import netwatcher.controller.subscriptions.SubscriptionRoutes;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.tls.TlsConfig;
import netwatcher.controller.tls.TlsMaterial;
import netwatcher.controller.tls.TlsSetup;
import netwatcher.controller.watchers.WatcherRepository;
import netwatcher.controller.watchers.WatcherRoutes;
import netwatcher.controller.watchers.WatcherService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running controller: database, security, features, HTTP(S) listeners. Thread-safe; close once.
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    /** Name and resource group of the default local-directory storage account. */
    public static final String LOCAL_ACCOUNT = "netwatcherlocal";
    public static final String STORAGE_GROUP = "netwatcher-storage";

    private final ControllerConfig config;
    private final Database db;
    private final HttpServer http;
    private final ScheduledExecutorService scheduler;
    /** Cluster mode: writes the deferred long-poll leases once a second (Presence.renewLeases); null with one controller. */
    private ScheduledExecutorService leaseRenewer;
    private final Subscription defaultSubscription;
    private final SecurityWiring security;
    private final AgentService agents;
    private final String baseUrl;
    private final Path caFile;
    /** This process among the cluster's controllers (agent leases, the leader lease). */
    private final String controllerId = java.util.UUID.randomUUID().toString();
    private final Presence presence;
    private final Leadership leadership;
    /** The cluster's controllers (cluster mode); null with the embedded database. */
    private ControllerRegistry registry;
    /** Live-stream relays from the other controllers (cluster mode); null with the embedded database. */
    private PeerRelays relays;
    /** Cross-controller wake-ups (PostgreSQL); null with the embedded database. */
    private final OrderWakeups wakeups;
    /** What the operator should know from the start (also logged as warnings), for the start-up banner. */
    private final List<String> notices = new ArrayList<>();

    private Controller(ControllerConfig config, Clock clock) throws Exception {
        this.config = config;
        Files.createDirectories(config.dataDir());
        restrictDataDirectory(config.dataDir());
        this.db = Database.open(config.database());
        OrderWakeups listener = null;
        try {
            Files.createDirectories(config.dataDir().resolve("storage").resolve(LOCAL_ACCOUNT));
            restrictDataDirectory(config.dataDir());
            SubscriptionService subscriptions = new SubscriptionService(db, new SubscriptionRepository(), clock);
            this.defaultSubscription = subscriptions.ensureDefault();
            this.security = new SecurityWiring(config.dataDir(), db, config.oidcProviders(), config.identity(), clock);

            List<StorageAccount> accounts = new ArrayList<>();
            accounts.add(new StorageAccount(ArmResourceId.of(defaultSubscription.id(), STORAGE_GROUP, "Microsoft.Storage",
                    "storageAccounts", LOCAL_ACCOUNT), "local", StorageAccount.Kind.LOCAL,
                    config.dataDir().resolve("storage").resolve(LOCAL_ACCOUNT), null));
            for (ControllerConfig.BlobAccount b : config.blobAccounts()) {
                accounts.add(new StorageAccount(ArmResourceId.of(defaultSubscription.id(), STORAGE_GROUP, "Microsoft.Storage",
                        "storageAccounts", b.name()), "local", StorageAccount.Kind.BLOB, null, b.connectionString()));
            }
            StorageService storage = new StorageService(accounts, clock);
            if (db.dialect() == Dialect.POSTGRESQL) {
                storage.clusterMode();
                if (config.blobAccounts().isEmpty()) {
                    String notice = "cluster mode without a blob storage account: packet captures can keep their files only on the VMs"
                            + " (storageLocation.filePath) until one is configured as storage.blob.NAME in every controller's"
                            + " controller.properties (docs/deployment.md); the local account " + LOCAL_ACCOUNT + " is not offered in a cluster";
                    LOG.atWarn().log(notice);
                    notices.add(notice);
                }
            }

            // cluster mode (a shared PostgreSQL database): presence as leases in the database, wake-ups through
            // LISTEN/NOTIFY, background work on one leader; embedded: all in memory, always leader
            boolean cluster = db.dialect() == Dialect.POSTGRESQL;
            Presence[] woken = new Presence[1];
            listener = cluster ? new OrderWakeups(config.database(), vmKey -> {
                if (vmKey == null) woken[0].wakeAll();
                else woken[0].wake(vmKey);
            }, java.util.Map.of(netwatcher.controller.auth.AdminTokenRepository.CHANGED_CHANNEL, security::adminTokenChanged)) : null;
            this.wakeups = listener;
            this.presence = cluster ? new Presence(clock, config.agentLostAfter(), new DatabasePresence(db, controllerId, wakeups))
                    : new Presence(clock, config.agentLostAfter());
            woken[0] = presence;
            this.leadership = cluster ? Leadership.elected(db, "background", controllerId, Leadership.DEFAULT_LEASE, clock) : Leadership.always();
            OperationService operations = new OperationService(db, new OperationRepository(), clock, config.operationRetention());
            WatcherService watchers = new WatcherService(db, new WatcherRepository(), clock);
            ComputeService compute = new ComputeService(db, new ComputeRepository(), clock);
            this.agents = new AgentService(db, new AgentRepository(), new AgentService.Peers(compute, watchers, subscriptions),
                    security.enrollmentTokens(), presence, clock);
            CaptureService captures = new CaptureService(db, new CaptureRepository(), new CaptureService.Peers(compute, storage, presence),
                    new CaptureService.Settings(config.agentWait(), config.agentLostAfter()), clock, security.access());
            agents.captures(captures);
            captures.claimExistingStorageLocations();
            captures.mergeOnlyWhen(leadership::isLeader); // fleet merges: the leader's work in cluster mode
            CheckService checks = new CheckService(db, new CheckRepository(), new CheckService.Peers(compute, presence),
                    CheckService.Settings.defaults(), clock, security.access());
            agents.checks(checks);
            EvidenceService evidence = new EvidenceService(db, new EvidenceRepository(),
                    new EvidenceService.Destination(storage, accounts.getFirst(), cluster), compute, EvidenceService.Settings.defaults(), clock);
            checks.evidence(evidence);
            operations.register(CheckService.OP_KIND, checks.resolver());
            watchers.onDelete(captures::deleteAllOf);
            operations.register(CaptureService.OP_CREATE, captures.createResolver());
            operations.register(CaptureService.OP_STOP, captures.stopResolver());
            operations.register(CaptureService.OP_DELETE, captures.deleteResolver());
            captures.onChange(operations::targetChanged);
            operations.registerResource(CheckService.OP_KIND, checks::resourceOfKey);

            Router router = new Router();
            new HealthRoutes(db).register(router);
            new SubscriptionRoutes(subscriptions, security.access()).register(router);
            new OperationRoutes(operations, security.access()).register(router);
            new WatcherRoutes(watchers, subscriptions).register(router);
            ComputeRoutes computeRoutes = new ComputeRoutes(compute, subscriptions, presence);
            computeRoutes.register(router);
            new netwatcher.controller.compute.ScaleSetRoutes(compute, computeRoutes, subscriptions).register(router);
            new RouteTableRoutes(new RouteTableService(compute), subscriptions).register(router);
            CaptureRoutes captureRoutes = new CaptureRoutes(captures, watchers, subscriptions, operations);
            captureRoutes.register(router);
            captureRoutes.registerOperations();
            new StorageRoutes(storage, security.access()).register(router);
            new CheckRoutes(checks, watchers, subscriptions, operations).register(router);
            new AgentRoutes(agents, captures, storage).register(router);
            var liveHub = new netwatcher.controller.capture.live.LiveHub(netwatcher.controller.capture.live.LiveHub.Limits.defaults(), clock);
            // cluster: the controllers know each other (registry) and relay live streams; an agent posts its live records
            // to the controller that watches them (its own URL, not the balancer's, which may pick another)
            this.registry = cluster ? new ControllerRegistry(db, controllerId, clock) : null;
            this.relays = cluster ? new PeerRelays(registry, presence::holderOf, PeerTokens.of(db, controllerId, clock), this::caFile) : null;
            agents.live((vm, base) -> liveHub.ordersFor(vm, registry == null || registry.selfUrl() == null ? base : registry.selfUrl().toString()));
            new netwatcher.controller.capture.live.LiveRoutes(new netwatcher.controller.capture.live.LiveRoutes.Peers(captures, watchers,
                    subscriptions, compute, presence, db), liveHub, relays).register(router);
            new EvidenceRoutes(evidence, compute, checks::takesPart, checks::advanceNow).register(router);
            security.register(router, this::listen);
            new AdminRoutes(subscriptions, agents, security.admin()).register(router);
            ConsoleSessions consoleSessions = new ConsoleSessions(db, clock);
            ConsoleRoutes console = new ConsoleRoutes(consoleSessions, security.access(),
                    new ConsoleRoutes.Peers(db, compute, presence, subscriptions, watchers, storage), clock);
            console.offerOidcLogin(config.oidcProviders(), config.identity().oidcClients(),
                    java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build());
            console.register(router);
            console.follow(captures);

            TlsMaterial tls = null;
            // every extra listener must be named by the certificate, or clients dialling it fail the TLS check
            // ... and so must the public URL's host, which a balancer passing TLS through hands to any controller
            if (!config.plainHttp()) tls = TlsSetup.ensure(config.dataDir(), TlsConfig.withExtraNames(certificateNames(config)));
            this.caFile = tls == null ? null : tls.caCertificate().orElse(null);
            this.http = new HttpServer(router, security.access(), agents::authenticate,
                    new HttpServer.Settings(config.maxBodyBytes(), tls == null ? null : new HttpServer.Tls(tls.keyStore(), tls.keyStorePassword()),
                            config.identity().publicUrl()));
            http.browserSessions(consoleSessions);
            int port = http.listen(config.host(), config.port());
            security.start(port);
            for (String extra : config.extraListen()) http.listen(extra, port);
            String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
            this.baseUrl = (config.plainHttp() ? "http://" : "https://") + host + ":" + port;
            if (registry != null) {
                registry.register(config.peerUrl() != null ? config.peerUrl()
                        : ControllerRegistry.defaultPeerUrl(!config.plainHttp(), config.host(), config.extraListen(), port));
            }
            LOG.atInfo().addKeyValue("url", baseUrl).addKeyValue("peerUrl", registry == null ? null : registry.selfUrl())
                    .addKeyValue("dataDir", config.dataDir()).log("controller listening");

            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "nw-sweeper");
                t.setDaemon(true);
                return t;
            });
            if (cluster) {
                // its own thread: the sweeper's leader work may take longer than the deferred leases may wait
                this.leaseRenewer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "nw-lease-renewer");
                    t.setDaemon(true);
                    return t;
                });
                leaseRenewer.scheduleWithFixedDelay(() -> {
                    try {
                        presence.renewLeases();
                    } catch (RuntimeException e) {
                        LOG.warn("lease renewer: {}", e.toString());
                    }
                }, 1, 1, TimeUnit.SECONDS);
                long ahead = netwatcher.controller.auth.AdminToken.REFRESH_AHEAD_EVERY.toMillis();
                leaseRenewer.scheduleWithFixedDelay(() -> { // keeps the admin token's check off the database on requests
                    try {
                        security.refreshAdminTokenAhead();
                    } catch (RuntimeException e) {
                        LOG.warn("admin token read-ahead: {}", e.toString());
                    }
                }, ahead, ahead, TimeUnit.MILLISECONDS);
            }
            java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    boolean tenth = ticks.getAndIncrement() % 10 == 0;
                    if (ticks.get() % 5 == 1) heartbeat(); // liveness for rolling upgrades; applies waiting contracts
                    if (registry != null && ticks.get() % ControllerRegistry.HEARTBEAT.toSeconds() == 1) registry.heartbeat();
                    if (tenth) {
                        // files in this controller's own local storage account: checked and collected by each controller;
                        // files every controller reads (blob accounts; all with one controller): by the leader, below
                        captures.verifyUploadsAsync(!cluster);
                        if (!evidence.shared()) evidence.collectExpired();
                    }
                    // database-wide work: once, on the leader, each piece only while the lease is still ours
                    if (!leadership.tick()) return;
                    captures.expireUnclaimed();
                    if (leadership.isLeader()) checks.advanceAll();
                    if (leadership.isLeader()) captures.fleetWork(tenth); // fleet captures: lost agents, merges (retries, take-overs)
                    if (tenth && leadership.isLeader()) {
                        // bounded state: expired operations, settled tombstones
                        operations.collectExpired();
                        captures.collectTombstones();
                        if (cluster) captures.verifyUploadsAsync(true);
                        if (evidence.shared()) evidence.collectExpired(); // files in the database: shared state, the leader's
                    }
                    if (leadership.isLeader()) presence.logTransitions();
                } catch (RuntimeException e) {
                    LOG.warn("sweeper: {}", e.toString());
                }
            }, 1, 1, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (listener != null) listener.close();
            if (relays != null) relays.close();
            db.close();
            throw e;
        }
    }

    private void heartbeat() {
        try {
            db.heartbeat();
        } catch (RuntimeException e) {
            LOG.warn("schema heartbeat: {}", e.toString());
        }
    }

    /** The extra listeners' addresses and the public URL's host: names the server certificate must carry. */
    private static List<String> certificateNames(ControllerConfig config) {
        List<String> names = new ArrayList<>(config.extraListen());
        if (config.identity().publicUrl() != null) names.add(config.identity().publicUrl().host());
        return names;
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_DIR =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_FILE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

    /**
     * The data directory and the embedded database are the controller's alone: the directory and
     * {@code state/} 0700, the database files 0600, whatever the umask (H2 creates files 0644); the
     * local storage account's directories 0750 and files 0640.
     */
    static void restrictDataDirectory(Path dataDir) throws java.io.IOException {
        Files.setPosixFilePermissions(dataDir, OWNER_DIR);
        Path storage = dataDir.resolve("storage");
        if (Files.isDirectory(storage, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // files stored by earlier versions (0644 in 0755 directories) get the local account's modes
            try (var walk = Files.walk(storage)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(p, StorageService.DIR_MODE);
                    } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(p, StorageService.FILE_MODE);
                    }
                }
            }
        }
        Path state = dataDir.resolve("state");
        if (!Files.isDirectory(state)) return;
        Files.setPosixFilePermissions(state, OWNER_DIR);
        try (var files = Files.list(state)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.setPosixFilePermissions(f, OWNER_FILE);
            }
        }
    }

    /** Starts a controller; returns once it serves requests. */
    public static Controller start(ControllerConfig config, Clock clock) throws Exception {
        return new Controller(config, clock);
    }

    /** Adds a listener on another local address (the lab's management address), same port and TLS. */
    public synchronized void listen(String address) {
        if (!(address.startsWith("198.18.") || address.startsWith("198.19.") || address.equals("127.0.0.1") || address.equals("::1"))) {
            throw ArmErrorCode.InvalidParameter.exception("Extra listeners are limited to loopback and the lab ranges 198.18.0.0/15; was " + address + ".", "address");
        }
        try {
            http.listen(address, port());
        } catch (Exception e) {
            throw ArmErrorCode.InvalidParameter.exception("Cannot listen on " + address + ":" + port() + ": " + e.getMessage(), "address");
        }
    }

    public String baseUrl() { return baseUrl; }

    /** Warnings about this controller's configuration found at start-up (a banner prints them); empty when none. */
    public List<String> notices() { return List.copyOf(notices); }

    public int port() { return Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1)); }

    public Path caFile() { return caFile; }

    public Path adminTokenFile() { return security.adminTokenFile(); }

    public String adminToken() { return security.adminToken(); }

    public Subscription defaultSubscription() { return defaultSubscription; }

    public SecurityWiring security() { return security; }

    public ControllerConfig config() { return config; }

    /** This controller's id among the cluster's (agent leases and the leader lease name it). */
    public String controllerId() { return controllerId; }

    /** Agent presence and long-poll wake-ups. */
    public Presence presence() { return presence; }

    /** Whether this controller does the background work (always with one controller). */
    public Leadership leadership() { return leadership; }

    /** The cluster's controller registry; null with the embedded database. */
    public ControllerRegistry registry() { return registry; }

    /** The cross-controller wake-ups; null with the embedded database. */
    public OrderWakeups wakeups() { return wakeups; }

    /** The HTTP edge, for observers such as a test's request recorder. */
    public HttpServer http() { return http; }

    @Override
    public void close() throws Exception {
        scheduler.shutdownNow();
        if (leaseRenewer != null) leaseRenewer.shutdownNow();
        try {
            http.close();
        } finally {
            if (wakeups != null) wakeups.close();
            if (relays != null) relays.close();
            if (registry != null) registry.deregister();
            leadership.release();
            db.close();
            try {
                restrictDataDirectory(config.dataDir());
            } catch (java.io.IOException e) {
                // the directory went away (tests delete it); nothing left to protect
            }
        }
    }
}
