package netwatcher.lab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Brings a lab up and down: hosts as Linux network namespaces joined by veth pairs and bridges,
 * the lab resolver, the helper servers and (optionally) one agent per agent host. Needs root.
 *
 * <p>Everything created is first recorded in {@code dataDir/lab/state.json}, so {@link #down} removes
 * exactly that, also from another process after a crash. {@link #up} removes what it made when it
 * fails half-way, and registers a shutdown hook (Ctrl-C) that removes the lab unless the handle was
 * closed first. See {@code docs/lab.md}.
 *
 * <p>Thread-safe as far as the kernel allows: different labs can be built concurrently; one lab
 * (one data directory) must not be brought up or down concurrently.
 */
public final class Lab {
    private Lab() {}

    /**
     * Builds {@code topology} as described by {@code spec}.
     *
     * @throws LabException when a lab is recorded in the data directory, a name is taken, or a step fails
     *                      (after removing whatever this call created)
     */
    public static LabHandle up(LabSpec spec, Topology topology) {
        if (Files.exists(stateFile(spec.dataDir()))) {
            throw new LabException("a lab is already recorded in " + stateFile(spec.dataDir())
                    + "; take it down first (`nw lab down`, Lab.down)");
        }
        Cidr managementNetwork = Cidr.parse(spec.managementNetwork());
        NetworkBuilder network = new NetworkBuilder(spec.labName(), topology, managementNetwork, null);
        network.checkNothingExists();
        LabState state = LabState.create(stateFile(spec.dataDir()), spec.labName(), spec.managementNetwork(),
                spec.controllerPort(), topology);
        LabHandle handle = new LabHandle(spec, topology, state, true);
        try {
            new NetworkBuilder(spec.labName(), topology, managementNetwork, state).build();
            new ServiceLauncher(spec.labName(), topology, spec.labDir(), state).startAll();
            if (spec.startAgents()) {
                for (Topology.Host host : topology.hosts()) {
                    if (host.agent()) handle.startAgent(host.name());
                }
            }
            state.markComplete();
            return handle;
        } catch (RuntimeException failure) {
            removeAfterFailure(handle, failure);
            throw failure instanceof LabException ? failure
                    : new LabException("lab " + spec.labName() + " failed to come up (removed again): " + failure.getMessage(), failure);
        } catch (Error failure) {
            removeAfterFailure(handle, failure);
            throw failure;
        }
    }

    private static void removeAfterFailure(LabHandle handle, Throwable failure) {
        try {
            handle.close();
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /**
     * A handle on the lab already running in {@code spec.dataDir()} (started by this or another
     * process), for exec and agent control (agents start with {@code spec}'s launcher). Closing it
     * takes the lab down; unlike {@link #up}, the attaching JVM's exit leaves the lab running.
     */
    public static LabHandle attach(LabSpec spec) {
        Path file = stateFile(spec.dataDir());
        if (!Files.exists(file)) throw new LabException("no lab recorded in " + file);
        LabState state = LabState.load(file);
        if (!state.snapshot().labName().equals(spec.labName())) {
            throw new LabException("the lab in " + file + " is '" + state.snapshot().labName() + "', not '" + spec.labName() + "'");
        }
        return new LabHandle(spec, state.snapshot().topology(), state, false);
    }

    /**
     * Removes the lab recorded in {@code dataDir}: kills its processes, deletes its namespaces,
     * veths, bridges, nftables tables and {@code /etc/netns} directories. Nothing recorded: no-op.
     *
     * @return whether a lab was recorded (and is now removed)
     * @throws LabException when the recorded lab has another name or something could not be removed
     *                      (the state file is kept, so running it again retries)
     */
    public static boolean down(Path dataDir, String labName) {
        LabSpec.checkLabName(labName);
        Path file = stateFile(dataDir);
        if (!Files.exists(file)) return false;
        LabState state = LabState.load(file);
        if (!state.snapshot().labName().equals(labName)) {
            throw new LabException("the lab recorded in " + file + " is '" + state.snapshot().labName() + "', not '" + labName + "'");
        }
        Teardown.run(state);
        return true;
    }

    /** {@code dataDir/lab/state.json}. */
    public static Path stateFile(Path dataDir) {
        return dataDir.toAbsolutePath().resolve("lab").resolve("state.json");
    }

    /** The lab CA certificate (PEM) that the web server's certificate chains to. */
    public static Path caCertificate(Path dataDir) {
        return ServiceLauncher.caCertificate(dataDir.toAbsolutePath().resolve("lab"));
    }
}
