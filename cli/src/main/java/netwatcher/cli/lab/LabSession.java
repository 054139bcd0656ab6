package netwatcher.cli.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import netwatcher.lab.Lab;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabSpec;
import netwatcher.lab.Topology;

/**
 * Brings the lab up with real agents against a running controller: reads the default subscription,
 * creates an enrollment token, builds the lab, asks the controller to listen on the management
 * address, then starts one agent per agent host and waits until each has registered its VM.
 * Whatever fails removes the lab again.
 * Stateless; thread-safe.
 */
public final class LabSession {
    /** How long {@link #up} waits for every agent to enroll and register its host. */
    public static final java.time.Duration AGENT_START_TIMEOUT = java.time.Duration.ofSeconds(90);

    private LabSession() {}

    /**
     * @param dataDir        the controller's data directory ({@code admin.token}, {@code tls/ca.pem}); the lab lives in {@code dataDir/lab}
     * @param topology       what to build
     * @param controllerHost where this process reaches the controller ({@code 127.0.0.1})
     * @param controllerPort the controller's port (agents use the same port on the management address)
     * @param location       location of the lab VMs
     * @return the running lab; closing it takes the lab down (so does this JVM's exit)
     */
    public static LabHandle up(Path dataDir, Topology topology, String controllerHost, int controllerPort, String location) {
        return up(LabSpec.of(dataDir).withControllerPort(controllerPort), topology, controllerHost, location);
    }

    /**
     * As {@link #up(Path, Topology, String, int, String)} with the lab name, management network and
     * controller port of {@code base} (its agent launcher is replaced by the real agents).
     */
    public static LabHandle up(LabSpec base, Topology topology, String controllerHost, String location) {
        Path dir = base.dataDir();
        ControllerAdmin admin = ControllerAdmin.forDataDir(dir, controllerHost, base.controllerPort());
        String subscription = admin.defaultSubscription();
        long agentHosts = topology.hosts().stream().filter(Topology.Host::agent).count();
        String token = admin.createEnrollmentToken(subscription, LabAgents.RESOURCE_GROUP, (int) Math.max(1, 2 * agentHosts));
        LabAgents agents = LabAgents.ofThisJvm(base.controllerUrl(), token, subscription, location, ControllerAdmin.caFile(dir))
                .withExtraFlags(List.of("--probe-ca-file", Lab.caCertificate(dir).toString()));
        LabHandle lab = Lab.up(base.withAgentsStopped(agents), topology);
        try {
            admin.addListener(lab.controllerAddress());
            java.time.Instant agentsStarted = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            for (Topology.Host host : topology.hosts()) {
                if (host.agent()) lab.startAgent(host.name());
            }
            // registered is not enough when the VMs exist from an earlier run: wait until the agents just started are back
            admin.awaitRegistered(subscription, LabAgents.RESOURCE_GROUP, agentHosts(lab), AGENT_START_TIMEOUT, agentsStarted);
            return lab;
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            try {
                lab.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("interrupted while the lab came up", e);
        }
    }

    /** The agent hosts of {@code lab}, in topology order. */
    public static List<String> agentHosts(LabHandle lab) {
        return lab.hosts().stream().filter(h -> h.agent()).map(h -> h.name()).toList();
    }

    /** Blocks until the lab's state file is gone ({@code nw lab down} from elsewhere) or this thread is interrupted. */
    public static void awaitRemoval(Path dataDir) throws InterruptedException {
        Path state = Lab.stateFile(dataDir);
        while (Files.exists(state)) Thread.sleep(1000);
    }
}
