package netwatcher.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running lab: host lookups, commands inside hosts, agent control, and {@link #close()} to take
 * it all down. Returned by {@link Lab#up} and {@link Lab#attach}.
 *
 * <p>Thread-safe: exec may run concurrently; agent start/stop and close synchronize on the handle.
 */
public final class LabHandle implements AutoCloseable {
    /**
     * {@code sh -c} script run after {@code unshare --mount --uts}: a private /var/captures, the host's own
     * host name (so its agent reports {@code app}, not the machine's name), then the agent.
     */
    static final String AGENT_WRAPPER = "mkdir -p /var/captures && mount --bind \"$1\" /var/captures && hostname \"$2\" && shift 2"
            + " && exec \"$@\"";

    private final LabSpec spec;
    private final Topology topology;
    private final LabState state;
    private final Map<String, Cidr> managementAddresses;
    private final Thread shutdownHook;
    private boolean closed;

    LabHandle(LabSpec spec, Topology topology, LabState state, boolean removeOnExit) {
        this.spec = spec;
        this.topology = topology;
        this.state = state;
        this.managementAddresses = NetworkBuilder.managementAddresses(topology, Cidr.parse(spec.managementNetwork()));
        this.shutdownHook = removeOnExit ? Thread.ofPlatform().name("nw-lab-" + spec.labName() + "-down").unstarted(this::removeOnShutdown) : null;
        if (shutdownHook != null) Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public String name() {
        return spec.labName();
    }

    public LabSpec spec() {
        return spec;
    }

    public Topology topology() {
        return topology;
    }

    /** The host named {@code name}: namespace, addresses, management address, directories. */
    public LabHost host(String name) {
        Topology.Host host = topology.host(name);
        List<String> addresses = new ArrayList<>();
        host.interfaces().forEach(nic -> nic.addresses().forEach(a -> addresses.add(Cidr.parse(a).toString())));
        Optional<String> management = Optional.ofNullable(managementAddresses.get(name)).map(Cidr::addressText);
        return new LabHost(name, Names.namespace(spec.labName(), name), host.agent(), addresses, management,
                spec.controllerUrl(), spec.labDir().resolve("hosts").resolve(name), Optional.ofNullable(host.scaleSet()));
    }

    /** Every host, in topology order. */
    public List<LabHost> hosts() {
        return topology.hosts().stream().map(h -> host(h.name())).toList();
    }

    /** The controller's address on the management network ({@code 198.19.255.1} by default). */
    public String controllerAddress() {
        return spec.controllerAddress();
    }

    /** The lab CA certificate (PEM): trust it to reach the lab's https services. */
    public Path caCertificate() {
        return ServiceLauncher.caCertificate(spec.labDir());
    }

    /** Runs {@code command} inside {@code host}'s namespace ({@code ip netns exec}), 30 s at most. */
    public ExecResult exec(String host, String... command) {
        return exec(host, Commands.DEFAULT_TIMEOUT, List.of(command));
    }

    /** Runs {@code command} inside {@code host}'s namespace; killed after {@code timeout} (exit code -1). */
    public ExecResult exec(String host, Duration timeout, List<String> command) {
        return Commands.run(Commands.inNamespace(host(host).namespace(), command), null, timeout);
    }

    /**
     * Starts a long-running {@code command} inside {@code host}'s namespace with output appended to
     * {@code log}. The caller owns the process; it is also killed on {@link #close()} because it
     * lives in a lab namespace.
     */
    public Process spawn(String host, List<String> command, Path log) {
        return Processes.start(Commands.inNamespace(host(host).namespace(), command), log);
    }

    /** Starts the agent of {@code host} with the spec's launcher; fails if it is running already. */
    public synchronized void startAgent(String host) {
        LabHost labHost = host(host);
        if (!labHost.agent()) throw new IllegalArgumentException(host + " is not an agent host");
        if (agentProcess(host).isPresent()) throw new LabException("the agent on " + host + " is already running");
        List<String> agent = spec.agentLauncher().command(labHost);
        if (agent.isEmpty()) throw new IllegalArgumentException("the agent launcher returned no command for " + host);
        try {
            Files.createDirectories(labHost.capturesDirectory());
            Files.createDirectories(labHost.agentStateDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--uts", "--propagation", "private",
                "sh", "-c", AGENT_WRAPPER, "nw-agent", labHost.capturesDirectory().toString(), labHost.name()));
        command.addAll(agent);
        Process process = Processes.start(Commands.inNamespace(labHost.namespace(), command), labHost.agentLog());
        state.addProcess(new LabState.ProcessEntry("agent", host, process.pid(), Processes.startMillis(process.toHandle())));
    }

    /** Stops the agent of {@code host} (SIGTERM, then SIGKILL after 5 s); no-op when none runs. */
    public synchronized void stopAgent(String host) {
        host(host);
        for (LabState.ProcessEntry entry : state.snapshot().processes()) {
            if (!entry.role().equals("agent") || !entry.host().equals(host)) continue;
            Processes.find(entry.pid(), entry.startInstant()).ifPresent(p -> {
                List<ProcessHandle> survivors = Processes.stop(List.of(p));
                if (!survivors.isEmpty()) throw new LabException("the agent on " + host + " (pid " + entry.pid() + ") survived SIGKILL");
            });
            state.removeProcess(entry.pid());
        }
    }

    /** The running agent process of {@code host}, if any. */
    public synchronized Optional<ProcessHandle> agentProcess(String host) {
        return state.snapshot().processes().stream()
                .filter(p -> p.role().equals("agent") && p.host().equals(host))
                .flatMap(p -> Processes.find(p.pid(), p.startInstant()).stream())
                .findFirst();
    }

    /** Takes the lab down ({@link Lab#down}); safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; teardown below is idempotent
        }
        if (Files.exists(state.file())) Teardown.run(state);
        closed = true;
    }

    private void removeOnShutdown() {
        synchronized (this) {
            if (closed) return;
        }
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("netwatcher lab " + spec.labName() + ": cleanup on exit failed: " + e.getMessage());
        }
    }
}
