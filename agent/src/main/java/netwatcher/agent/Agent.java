package netwatcher.agent;

import netwatcher.agent.control.Backoff;
import netwatcher.agent.check.CheckExecutor;
import netwatcher.agent.check.HostConfigEvaluation;
import netwatcher.agent.check.HostEvaluation;
import netwatcher.agent.hostcfg.HostConfig;
import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.ProbeTls;
import netwatcher.agent.probe.Prober;
import netwatcher.agent.control.CaptureRunner;
import netwatcher.agent.control.ControllerClient;
import netwatcher.agent.control.ControllerEndpoints;
import netwatcher.agent.control.ControllerException;
import netwatcher.agent.control.ControllerTls;
import netwatcher.agent.control.Credential;
import netwatcher.agent.control.Journal;
import netwatcher.agent.control.Reconciler;
import netwatcher.agent.host.HostInventory;
import netwatcher.agent.upload.BlobUploader;
import netwatcher.agent.upload.LocalUploader;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.UploadTarget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent daemon: enrolls once, then runs the {@link Reconciler} (orders, captures, reports,
 * uploads) until closed. {@link #run(AgentConfig)} is the process entry ({@code nw agent run}) and
 * blocks until SIGTERM; {@link #start} is the embeddable form tests and the lab use.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread (the shutdown hook does);
 * everything else is internal.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** The agent's version, reported in the host registration. */
    public static final String VERSION = "0.1.0";
    /** Exit code for a setting or enrollment the operator must fix. */
    public static final int EXIT_CONFIG = 2;

    /**
     * Timings that are not operator settings; tests shorten them.
     *
     * @param waitSeconds        the orders long-poll's waitSeconds (protocol maximum 30)
     * @param backoffBase        first reconnect delay after a failed controller call
     * @param backoffCap         longest reconnect delay
     * @param uploadBackoffBase  first delay between upload attempts
     * @param uploadBackoffCap   longest delay between upload attempts
     */
    public record Tuning(int waitSeconds, Duration backoffBase, Duration backoffCap, Duration uploadBackoffBase,
                         Duration uploadBackoffCap) {
        /** 25 s long-poll, reconnect 200 ms doubling to 10 s, upload retry 1 s doubling to 60 s. */
        public static final Tuning DEFAULT = new Tuning(25, Duration.ofMillis(200), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(60));

        public Tuning {
            if (waitSeconds < 0 || waitSeconds > ProtocolVersion.MAX_WAIT_SECONDS) {
                throw new IllegalArgumentException("waitSeconds must be 0.." + ProtocolVersion.MAX_WAIT_SECONDS);
            }
        }
    }

    private final Reconciler reconciler;
    private final UploadService uploads;
    private final Credential credential;

    private Agent(Reconciler reconciler, UploadService uploads, Credential credential) {
        this.reconciler = reconciler;
        this.uploads = uploads;
        this.credential = credential;
    }

    /**
     * Runs the daemon until SIGTERM/SIGINT, then shuts down cleanly (captures end {@code AgentShutdown}).
     *
     * @return the process exit code: 0 after a clean shutdown, {@value #EXIT_CONFIG} for a setting or
     * enrollment problem (the message says which), 1 for anything else
     */
    public static int run(AgentConfig config) {
        Agent agent;
        try {
            agent = start(config, EngineCaptureRunner.create(), Tuning.DEFAULT, InstantSource.system());
        } catch (IllegalArgumentException e) {
            LOG.atError().addKeyValue("vmName", config.vmName()).log("cannot start: {}", e.getMessage());
            return EXIT_CONFIG;
        } catch (ControllerException e) {
            LOG.atError().addKeyValue("vmName", config.vmName()).log("enrollment refused: {}", e.getMessage());
            return EXIT_CONFIG;
        } catch (IOException e) {
            LOG.atError().addKeyValue("vmName", config.vmName()).log("cannot start: {}", e.toString());
            return 1;
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("vmName", config.vmName()).setCause(e).log("cannot start");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.atInfo().addKeyValue("vm", vmKey(agent.credential)).log("shutting down: stopping captures");
            agent.close();
            stopped.countDown();
        }, "nw-agent-shutdown"));
        LOG.atInfo().addKeyValue("agent", agent.credential.agentId()).addKeyValue("vm", vmKey(agent.credential))
                .addKeyValue("version", VERSION).log("agent running");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Enrolls if needed (retrying while the controller is unreachable), recovers the journal and starts
     * the control threads.
     *
     * @throws IllegalArgumentException for a bad setting (named)
     * @throws ControllerException      when the controller refuses the enrollment (401, 403, 409)
     */
    public static Agent start(AgentConfig config, CaptureRunner runner, Tuning tuning, InstantSource clock)
            throws IOException {
        return start(config, runner, tuning, clock, hostEvaluation());
    }

    /** The host firewall/route evaluation the daemon uses for checks. */
    static HostEvaluation hostEvaluation() {
        return new HostConfigEvaluation(new HostConfig());
    }

    /** As {@link #start(AgentConfig, CaptureRunner, Tuning, InstantSource)}, with the given host evaluation for checks. */
    public static Agent start(AgentConfig config, CaptureRunner runner, Tuning tuning, InstantSource clock,
                              HostEvaluation hostEvaluation) throws IOException {
        Path stateDir = config.stateDir();
        Files.createDirectories(stateDir);
        try {
            Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.warn("cannot restrict {} to its owner: {}", stateDir, e.getMessage());
        }
        ControllerClient client = new ControllerClient(new ControllerEndpoints(config.controllerUrls()),
                ControllerTls.context(config.caFile()));
        Credential credential = Credential.load(stateDir).orElse(null);
        if (credential == null) {
            config.requireEnrollmentSettings();
            credential = enroll(config, client, tuning);
            credential.store(stateDir);
            LOG.atInfo().addKeyValue("agent", credential.agentId()).addKeyValue("vm", vmKey(credential)).log("enrolled");
        }
        client.useCredential(credential);

        HostInventory inventory = new HostInventory(VERSION, AgentConfig.hostName(), config.ignoredInterfaces(),
                runner::unavailableReason).withRouteTables(new netwatcher.agent.hostcfg.RouteTables()::read)
                .withScaleSet(config.scaleSet());
        UploadService uploads = new UploadService(Map.of(
                UploadTarget.LOCAL, new LocalUploader(client.http(), client::request, (int) config.uploadChunkBytes()),
                UploadTarget.BLOB, new BlobUploader((int) config.uploadChunkBytes())),
                config.uploadRetryLimit(), tuning.uploadBackoffBase(), tuning.uploadBackoffCap(), clock);
        Reconciler.Settings settings = new Reconciler.Settings(config.capturesRoot(),
                total -> config.diskFloor().bytesFor(total), (int) config.kernelBufferBytes(), config.flushInterval(),
                config.reportInterval(), config.hostPollInterval(), config.shutdownGrace(), tuning.waitSeconds(),
                tuning.backoffBase(), tuning.backoffCap());
        java.util.function.Supplier<HostReport> host = inventory::snapshot;
        Prober prober = new Prober(ProbeTls.lazy(config.probeCaFile()));
        Reconciler reconciler = new Reconciler(settings, new Reconciler.Wiring(client, runner, new Journal(stateDir), host,
                uploads, clock), sink -> new CheckExecutor(CheckExecutor.Settings.DEFAULT, hostEvaluation,
                        new CheckExecutor.Probing(prober, new ParisTracer(), CheckExecutor.Resolver.SYSTEM), sink, new netwatcher.agent.evidence.EvidenceRecorder(
                                netwatcher.agent.evidence.EvidenceRecorder.Settings.in(stateDir.resolve("evidence")), uploads, clock,
                                netwatcher.agent.host.InterfaceExclusions.of(config.ignoredInterfaces()))));
        reconciler.start();
        return new Agent(reconciler, uploads, credential);
    }

    /** The VM's ARM id as the controller logs it (lower case: ARM ids compare case-insensitively), for vm= context. */
    private static String vmKey(Credential credential) {
        return credential.vmId().toLowerCase(java.util.Locale.ROOT);
    }

    private static Credential enroll(AgentConfig config, ControllerClient client, Tuning tuning) {
        EnrollRequest request = new EnrollRequest(config.enrollmentToken(), config.subscriptionId(), config.resourceGroup(),
                config.vmName(), config.location(), AgentConfig.hostName());
        Backoff backoff = new Backoff(tuning.backoffBase(), tuning.backoffCap(), RandomGenerator.getDefault());
        while (true) {
            try {
                return Credential.of(client.enroll(request));
            } catch (ControllerException e) {
                boolean permanent = e.answered() && e.status() < 500 && !"UnsupportedAgentProtocol".equals(e.code());
                if (permanent) throw e;
                Duration wait = backoff.nextDelay(e);
                LOG.atWarn().addKeyValue("vmName", config.vmName()).addKeyValue("retryMs", wait.toMillis())
                        .log("enroll failed, retrying: {}", e.getMessage());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The control loop (for status and tests). */
    public Reconciler reconciler() { return reconciler; }

    /** The id of the VM this agent acts for. */
    public Optional<String> vmId() { return Optional.ofNullable(credential.vmId()); }

    /** Stops captures ({@code AgentShutdown}), waits for their files, persists state. Idempotent. */
    @Override
    public void close() {
        reconciler.close();
        uploads.close();
    }
}
