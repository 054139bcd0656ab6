package netwatcher.lab;

import java.util.List;

/**
 * The command that runs a netwatcher agent on one lab host. The lab runs it inside the host's
 * namespace with a private {@code /var/captures} (see {@link Lab}); the launcher only says what to
 * run, e.g. {@code [nw, agent, --controller, https://198.19.255.1:8443, --vm, app, ...]}.
 * Implementations must be thread-safe; the lab calls them from the thread that starts agents.
 */
@FunctionalInterface
public interface AgentLauncher {

    /** The command line (program first) for the agent of {@code host}. */
    List<String> command(LabHost host);

    /** A launcher for labs that start no agents; calling it is a programming error. */
    static AgentLauncher none() {
        return host -> {
            throw new IllegalStateException("this lab has no agent launcher; cannot start an agent on " + host.name());
        };
    }
}
