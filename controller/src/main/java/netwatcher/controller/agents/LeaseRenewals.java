package netwatcher.controller.agents;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster lease rule of one controller: which agents' leases it wrote and until when, and the long-poll
 * starts whose lease write waits for the next batch. Thread-safe.
 *
 * <p>Every long-poll start is proof that the agent lives, so its lease must grow to the start plus the hold plus
 * the grace ({@link Presence}); but it need not grow <em>at once</em> while the lease already in the database
 * lasts well beyond the next batch. At a poll start of an agent that came straight back to this controller
 * ({@code Presence}), {@link #startNow} decides: a synchronous write when this controller did not write the
 * agent's current lease (a new agent, a re-enrolled one: the credential differs) or when that lease ends within
 * {@link #DEFER_MARGIN}; else the start is queued ({@link #defer}) and {@link #drain} hands the queue to one
 * batched write a second ({@code Presence.renewLeases}). Only the controller holding the agent's poll shortens
 * its lease (a poll answered early, {@link #shrinking}), and an agent that came straight back was held by no other
 * meanwhile, so the lease this controller last wrote is a lower bound of the database's: a deferred start never
 * lets a live agent's lease lapse while batches run. The
 * lease written for a deferred start is computed from the start, not from the batch's time, so an agent killed
 * still reads {@code Disconnected} at most the hold plus the grace after its last poll began.
 */
public final class LeaseRenewals {
    /** A start is deferred only while the lease this controller wrote lasts at least this much longer (≥ 5 batches). */
    public static final Duration DEFER_MARGIN = Duration.ofSeconds(5);

    /** A lease this controller wrote: for which credential, until when. */
    private record Held(String agentId, Instant until) {}

    /** A poll start waiting for the batch: the agent's credential and the start (the latest, if several). */
    public record Start(String agentId, Instant at) {}

    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, Start> pending = new ConcurrentHashMap<>();

    /** Whether the poll start of {@code agentId} (VM {@code vmKey}) at {@code now} must write its lease itself. */
    public boolean startNow(String vmKey, String agentId, Instant now) {
        Held h = held.get(vmKey);
        return h == null || !h.agentId().equals(agentId) || h.until().isBefore(now.plus(DEFER_MARGIN));
    }

    /** Queues a start for the next batch (keeps the later of two starts of one agent). */
    public void defer(String vmKey, String agentId, Instant at) {
        pending.merge(vmKey, new Start(agentId, at), (a, b) -> a.agentId().equals(b.agentId()) && a.at().isAfter(b.at()) ? a : b);
    }

    /** Records that this controller wrote the agent's lease until {@code until} (keeps the longer). */
    public void wrote(String vmKey, String agentId, Instant until) {
        held.merge(vmKey, new Held(agentId, until), (a, b) -> a.agentId().equals(b.agentId()) && a.until().isAfter(b.until()) ? a : b);
    }

    /**
     * This controller shrinks the VM's lease to {@code until} (a poll answered early): a start still queued is
     * superseded by the later contact, and the lease it wrote is now {@code until}.
     */
    public void shrinking(String vmKey, Instant until) {
        pending.remove(vmKey);
        held.computeIfPresent(vmKey, (k, h) -> new Held(h.agentId(), until));
    }

    /** Takes the queued starts (each at most once); give back with {@link #requeue} those a failed batch did not write. */
    public Map<String, Start> drain() {
        Map<String, Start> out = new HashMap<>();
        for (String vmKey : pending.keySet()) {
            Start s = pending.remove(vmKey);
            if (s != null) out.put(vmKey, s);
        }
        return out;
    }

    /** Puts starts back after a failed batch (a later start queued meanwhile wins). */
    public void requeue(Map<String, Start> starts) {
        starts.forEach((vmKey, s) -> defer(vmKey, s.agentId(), s.at()));
    }

    /** Forgets the VM (its agent revoked, or its presence forgotten). */
    public void forget(String vmKey) {
        held.remove(vmKey);
        pending.remove(vmKey);
    }

    /** Number of queued starts (for tests and logs). */
    public int pendingCount() { return pending.size(); }
}
