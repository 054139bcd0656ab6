package netwatcher.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension giving a test class its own lab: brought up before the first test with a random
 * name ({@code t} + 6 characters, so namespaces are {@code nw-t…-app} and the root veth {@code nwt…m}),
 * its own temporary data directory and a free management /24 in 198.19.128.0–198.19.254.0 (so labs
 * of parallel builds do not collide; a controller in the test listens on {@link LabHandle#controllerAddress()}),
 * and taken down after the last test on every path: normal end, failure, or JVM exit (shutdown
 * hook). The data directory is deleted unless a test failed (then its path is printed, for the logs).
 *
 * <pre>
 * &#64;Tag("netns")
 * class MyTest {
 *     &#64;RegisterExtension static final LabExtension LAB = LabExtension.defaultLab();
 *
 *     &#64;Test void something() { LAB.lab().exec("app", "curl", "http://web.lab.test/"); }
 * }
 * </pre>
 *
 * <p>Test methods may also take a {@link LabHandle} parameter. JUnit is a {@code provided}
 * dependency of the lab module: users bring their own (test scope). Thread-safe for use by one test
 * class; the handle it gives out is thread-safe.
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {

    private final Topology topology;
    private final AgentLauncher launcher;
    private final boolean startAgents;
    private final int controllerPort;
    private final String managementNetwork;
    private volatile LabHandle handle;
    private volatile Path dataDir;
    private volatile boolean failed;

    /** For {@code @ExtendWith(LabExtension.class)}: the default lab without agents. */
    public LabExtension() {
        this(Topology.defaultLab(), AgentLauncher.none(), false, LabSpec.DEFAULT_CONTROLLER_PORT, null);
    }

    private LabExtension(Topology topology, AgentLauncher launcher, boolean startAgents, int controllerPort, String managementNetwork) {
        this.topology = Objects.requireNonNull(topology);
        this.launcher = Objects.requireNonNull(launcher);
        this.startAgents = startAgents;
        this.controllerPort = controllerPort;
        this.managementNetwork = managementNetwork;
    }

    /** The default topology, no agents. */
    public static LabExtension defaultLab() {
        return new LabExtension();
    }

    /** This extension building {@code other} instead. */
    public LabExtension withTopology(Topology other) {
        return new LabExtension(other, launcher, startAgents, controllerPort, managementNetwork);
    }

    /** Starts an agent on every agent host with {@code agentLauncher}. */
    public LabExtension withAgents(AgentLauncher agentLauncher) {
        return new LabExtension(topology, agentLauncher, true, controllerPort, managementNetwork);
    }

    /** Agents are not started by the extension, but {@link LabHandle#startAgent} can start them. */
    public LabExtension withAgentsStopped(AgentLauncher agentLauncher) {
        return new LabExtension(topology, agentLauncher, false, controllerPort, managementNetwork);
    }

    public LabExtension withControllerPort(int port) {
        return new LabExtension(topology, launcher, startAgents, port, managementNetwork);
    }

    /** A fixed management /24 (e.g. {@link LabSpec#DEFAULT_MANAGEMENT_NETWORK}) instead of a free random one. */
    public LabExtension withManagementNetwork(String network) {
        return new LabExtension(topology, launcher, startAgents, controllerPort, network);
    }

    /** The running lab; only between beforeAll and afterAll. */
    public LabHandle lab() {
        LabHandle current = handle;
        if (current == null) throw new IllegalStateException("the lab is not up (used outside the test class's lifecycle?)");
        return current;
    }

    /** A random lab name: {@code t} and 6 of {@code [a-z0-9]}. */
    public static String randomLabName() {
        return LabSpec.randomLabName('t');
    }

    /** A management /24 in 198.19.128.0/17 (below the default .255) that the root namespace does not route. */
    public static String freeManagementNetwork() {
        return LabSpec.freeManagementNetwork();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        String name = randomLabName();
        dataDir = Files.createTempDirectory("nwlab-" + name + "-");
        LabSpec spec = new LabSpec(dataDir, name, controllerPort,
                managementNetwork != null ? managementNetwork : freeManagementNetwork(), launcher, startAgents);
        handle = Lab.up(spec, topology);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LabHandle current = handle;
        handle = null;
        try {
            if (current != null) current.close();
        } finally {
            if (dataDir != null) {
                if (failed || context.getExecutionException().isPresent()) {
                    System.err.println("lab data directory kept for inspection: " + dataDir);
                } else {
                    deleteTree(dataDir);
                }
            }
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed = true;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LabHandle.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return lab();
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
