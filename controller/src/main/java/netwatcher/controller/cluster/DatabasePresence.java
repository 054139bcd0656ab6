package netwatcher.controller.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import netwatcher.controller.agents.LeaseRenewals;
import netwatcher.controller.agents.Presence;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.db.Database;

/**
 * Agent presence as leases in {@code nw_agent} ({@code controller_id}, {@code lease_until}, {@code last_seen_at},
 * {@code agent_version}), so that every controller of a cluster answers alike. A lease is only ever lengthened,
 * except by the controller that holds the agent's latest long-poll when a poll answered early ends there
 * ({@link Presence#pollEnded}); a controller defers a poll start's write to a batch while the lease it wrote last
 * lasts ({@link LeaseRenewals}). Lease times
 * are the writing controller's clock: the controllers' clocks must agree to well within the grace (NTP).
 * Thread-safe.
 */
public final class DatabasePresence implements Presence.Shared {
    private static final String LONGER = "lease_until = CASE WHEN lease_until IS NULL OR lease_until < ? THEN ? ELSE lease_until END";
    private final Database db;
    private final String controllerId;
    private final OrderWakeups wakeups;

    /** @param wakeups how the other controllers are woken; null: they find new orders by their periodic re-check only */
    public DatabasePresence(Database db, String controllerId, OrderWakeups wakeups) {
        this.db = db;
        this.controllerId = controllerId;
        this.wakeups = wakeups;
    }

    @Override
    public void pollStarted(String vmKey, String agentId, Instant now, Instant leaseUntil) {
        db.update("UPDATE nw_agent SET controller_id = ?, " + LONGER + ", last_seen_at = ? WHERE " + whose(agentId),
                controllerId, leaseUntil, leaseUntil, now, agentId != null ? agentId : vmKey);
    }

    @Override
    public void pollEnded(String vmKey, String agentId, Instant now, Instant leaseUntil, boolean lastHere) {
        db.update("UPDATE nw_agent SET lease_until = CASE WHEN controller_id = ? THEN ? WHEN lease_until IS NULL OR lease_until < ? THEN ?"
                + " ELSE lease_until END, last_seen_at = ? WHERE " + whose(agentId),
                controllerId, leaseUntil, leaseUntil, leaseUntil, now, agentId != null ? agentId : vmKey);
    }

    /** The row a poll's lease write is for: its agent's, when known (a revoked agent's matches none), else the VM's current agent's. */
    private static String whose(String agentId) {
        return agentId != null ? "agent_id = ? AND revoked = FALSE" : "vm_key = ? AND revoked = FALSE";
    }

    @Override
    public void renew(Map<String, LeaseRenewals.Start> starts, Duration length) {
        List<Object[]> rows = new ArrayList<>(starts.size());
        starts.forEach((vmKey, s) -> {
            Instant until = s.at().plus(length);
            rows.add(new Object[] {s.at(), controllerId, until, until, s.at(), s.at(), s.agentId()});
        });
        // one transaction, one round trip: the deferred starts of the last second (Presence.renewLeases); the
        // holder is the controller of the latest start (another may have recorded a later one meanwhile)
        db.batch("UPDATE nw_agent SET controller_id = CASE WHEN last_seen_at IS NULL OR last_seen_at <= ? THEN ? ELSE controller_id END, "
                + LONGER + ", last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < ? THEN ? ELSE last_seen_at END"
                + " WHERE agent_id = ? AND revoked = FALSE", rows);
    }

    @Override
    public void contact(String vmKey, Instant now, Instant leaseUntil, String version) {
        db.update("UPDATE nw_agent SET controller_id = COALESCE(controller_id, ?), " + LONGER
                        + ", last_seen_at = ?, agent_version = COALESCE(?, agent_version) WHERE vm_key = ? AND revoked = FALSE",
                controllerId, leaseUntil, leaseUntil, now, version, vmKey);
    }

    @Override
    public java.util.Optional<String> holder(String vmKey) {
        return db.queryOne("SELECT controller_id FROM nw_agent WHERE vm_key = ? AND revoked = FALSE AND controller_id IS NOT NULL",
                r -> r.getString("controller_id"), vmKey);
    }

    @Override
    public AgentPresence.Presence read(String vmKey, Instant now) {
        var rows = db.query("SELECT last_seen_at, agent_version, lease_until FROM nw_agent WHERE vm_key = ? AND revoked = FALSE",
                r -> new Lease(r.getInstant("last_seen_at"), r.getString("agent_version"), r.getInstant("lease_until")), vmKey);
        AgentPresence.Presence p = new AgentPresence.Presence(false, false, null, null);
        for (Lease l : rows) p = merge(p, l.presence(now));
        return p;
    }

    /** VM keys per statement of {@link #readMany}: bounds the statement's parameters. */
    static final int KEYS_PER_READ = 500;

    @Override
    public Map<String, AgentPresence.Presence> readMany(Collection<String> vmKeys, Instant now) {
        Map<String, AgentPresence.Presence> out = new HashMap<>();
        List<String> keys = new ArrayList<>(new LinkedHashSet<>(vmKeys));
        for (int from = 0; from < keys.size(); from += KEYS_PER_READ) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_READ));
            String marks = String.join(",", Collections.nCopies(part.size(), "?"));
            db.query("SELECT vm_key, last_seen_at, agent_version, lease_until FROM nw_agent WHERE revoked = FALSE AND vm_key IN (" + marks + ")",
                    r -> {
                        AgentPresence.Presence p = new Lease(r.getInstant("last_seen_at"), r.getString("agent_version"),
                                r.getInstant("lease_until")).presence(now);
                        out.merge(r.getString("vm_key"), p, DatabasePresence::merge);
                        return null;
                    }, part.toArray());
        }
        return out;
    }

    @Override
    public Map<String, AgentPresence.Presence> readAll(Instant now) {
        Map<String, AgentPresence.Presence> out = new HashMap<>();
        db.query("SELECT vm_key, last_seen_at, agent_version, lease_until FROM nw_agent WHERE revoked = FALSE", r -> {
            AgentPresence.Presence p = new Lease(r.getInstant("last_seen_at"), r.getString("agent_version"), r.getInstant("lease_until")).presence(now);
            out.merge(r.getString("vm_key"), p, DatabasePresence::merge);
            return null;
        });
        return out;
    }

    @Override
    public boolean wakeupsReliable() {
        return wakeups != null && wakeups.listening();
    }

    @Override
    public void notifyOthers(String vmKey) {
        if (wakeups != null) wakeups.notify(db, vmKey);
    }

    private record Lease(Instant lastSeen, String version, Instant leaseUntil) {
        AgentPresence.Presence presence(Instant now) {
            return new AgentPresence.Presence(true, leaseUntil != null && leaseUntil.isAfter(now), lastSeen, version);
        }
    }

    private static AgentPresence.Presence merge(AgentPresence.Presence a, AgentPresence.Presence b) {
        if (!a.enrolled()) return b;
        boolean bNewer = b.lastSeen() != null && (a.lastSeen() == null || b.lastSeen().isAfter(a.lastSeen()));
        return new AgentPresence.Presence(true, a.connected() || b.connected(), bNewer ? b.lastSeen() : a.lastSeen(),
                bNewer && b.agentVersion() != null ? b.agentVersion() : a.agentVersion() != null ? a.agentVersion() : b.agentVersion());
    }
}
