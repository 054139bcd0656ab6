package netwatcher.controller.compute;

import java.time.Instant;

/** What the agent feature knows of a VM's agent, for the extension view. Thread-safe. */
public interface AgentPresence {
    /** Presence of the VM's agent; {@code lastSeen} null when it never connected. */
    Presence of(String vmKey);

    /** Tells the VM's agent that its desired state changed (wakes its long-poll, here or on another controller). */
    void signal(String vmKey);

    record Presence(boolean enrolled, boolean connected, Instant lastSeen, String agentVersion) {}
}
