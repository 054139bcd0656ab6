package netwatcher.controller.agents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import netwatcher.controller.compute.AgentPresence;

/**
 * In-memory presence of agents (open long-polls, last contact) and the wake-up of long-polls when
 * a VM's desired state changes. Thread-safe.
 */
public final class Presence implements AgentPresence {
    /** An agent counts as connected this long after its last request. */
    public static final Duration CONNECTED_WINDOW = Duration.ofSeconds(60);

    private record State(int polls, Instant lastSeen, String version, boolean enrolled) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, Signal> signals = new ConcurrentHashMap<>();
    private final Clock clock;

    public Presence(Clock clock) { this.clock = clock; }

    /** Seeds presence from the database after a restart (enrolled agents, last contact). */
    public void seed(String vmKey, Instant lastSeen, String version) {
        states.merge(vmKey, new State(0, lastSeen, version, true), (a, b) -> a);
    }

    public void touch(String vmKey, String version) {
        states.compute(vmKey, (k, s) -> new State(s == null ? 0 : s.polls(), clock.instant(),
                version != null ? version : s == null ? null : s.version(), true));
    }

    public void pollStarted(String vmKey) {
        states.compute(vmKey, (k, s) -> new State((s == null ? 0 : s.polls()) + 1, clock.instant(), s == null ? null : s.version(), true));
    }

    public void pollEnded(String vmKey) {
        states.compute(vmKey, (k, s) -> new State(Math.max(0, (s == null ? 1 : s.polls()) - 1), clock.instant(),
                s == null ? null : s.version(), true));
    }

    @Override
    public AgentPresence.Presence of(String vmKey) {
        State s = states.get(vmKey);
        if (s == null) return new AgentPresence.Presence(false, false, null, null);
        boolean connected = s.polls() > 0 || (s.lastSeen() != null && s.lastSeen().plus(CONNECTED_WINDOW).isAfter(clock.instant()));
        return new AgentPresence.Presence(s.enrolled(), connected, s.lastSeen(), s.version());
    }

    /** Forgets a VM's presence (agent revoked). */
    public void forget(String vmKey) { states.remove(vmKey); }

    private static final class Signal {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        long version;
    }

    /** Wakes the long-polls of {@code vmKey}. */
    public void signal(String vmKey) {
        Signal s = signals.computeIfAbsent(vmKey, k -> new Signal());
        s.lock.lock();
        try {
            s.version++;
            s.changed.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    /** Waits up to {@code max} for a signal of {@code vmKey}; returns early on a signal. */
    public void await(String vmKey, Duration max) throws InterruptedException {
        Signal s = signals.computeIfAbsent(vmKey, k -> new Signal());
        s.lock.lock();
        try {
            long seen = s.version;
            long nanos = max.toNanos();
            while (s.version == seen && nanos > 0) nanos = s.changed.awaitNanos(nanos);
        } finally {
            s.lock.unlock();
        }
    }
}
