package netwatcher.controller.compute;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the agent feature knows of a VM's agent, for the extension view. Thread-safe. */
public interface AgentPresence {
    /** Presence of the VM's agent; {@code lastSeen} null when it never connected. */
    Presence of(String vmKey);

    /**
     * Presence of several VMs' agents, by VM key (every key given has an entry), read at once: in cluster mode one
     * database query per call (per page or request) instead of one per VM.
     */
    default Map<String, Presence> ofAll(Collection<String> vmKeys) {
        Map<String, Presence> out = new LinkedHashMap<>();
        for (String k : vmKeys) out.put(k, of(k));
        return out;
    }

    /** Tells the VM's agent that its desired state changed (wakes its long-poll, here or on another controller). */
    void signal(String vmKey);

    record Presence(boolean enrolled, boolean connected, Instant lastSeen, String agentVersion) {}
}
