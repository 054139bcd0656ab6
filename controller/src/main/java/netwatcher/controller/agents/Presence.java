package netwatcher.controller.agents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import netwatcher.controller.compute.AgentPresence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * In-memory presence of agents (open long-polls, last contact) and the wake-up of long-polls when
 * a VM's desired state changes. Thread-safe.
 *
 * <p>Presence is derived from the long-poll: a connected agent always has an orders request open
 * or starts the next one right after the previous one ended. An agent counts as connected while
 * <ul>
 *   <li>one of its long-polls is open (for at most {@link #MAX_HOLD} plus the grace after it
 *   started: a poll the controller forgot to close does not keep an agent alive), or</li>
 *   <li>its last contact (a poll ending, a report, a host registration) is less than the grace
 *   ({@code agent-lost-seconds}) ago, or</li>
 *   <li>the controller started less than {@link #startGrace()} ago and the agent was enrolled
 *   before: agents whose poll a restart cut need a moment (their reconnect backoff) to return.</li>
 * </ul>
 * A killed agent therefore shows disconnected at most {@link #MAX_HOLD} plus the grace after it
 * died (the poll it left open ends by itself at the hold).
 */
public final class Presence implements AgentPresence {
    private static final Logger LOG = LoggerFactory.getLogger(netwatcher.controller.agents.Presence.class); // not the inherited Presence record
    /** The controller holds an orders long-poll at most this long, whatever {@code waitSeconds} asks. */
    public static final Duration MAX_HOLD = Duration.ofSeconds(15);
    /** Default grace after a long-poll ended without the agent coming back ({@code agent-lost-seconds}). */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /** How much longer than the grace enrolled agents have to return after a controller start (agent backoff cap is 10 s). */
    static final Duration RECONNECT_ALLOWANCE = Duration.ofSeconds(20);

    private record State(int polls, Instant lastSeen, Instant lastPollStart, String version, boolean enrolled, boolean seeded) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, Signal> signals = new ConcurrentHashMap<>();
    /** The connection state last logged per VM; written by {@link #logTransitions()} only. */
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration grace;
    private final Instant startedAt;

    /** Presence with the {@link #DEFAULT_GRACE}. */
    public Presence(Clock clock) { this(clock, DEFAULT_GRACE); }

    /** @param grace how long after its last contact (long-poll end) an agent without an open poll still counts as connected */
    public Presence(Clock clock, Duration grace) {
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative: " + grace);
        this.clock = clock;
        this.grace = grace;
        this.startedAt = clock.instant();
    }

    /** The grace after a controller start during which enrolled agents not yet back count as connected. */
    public Duration startGrace() { return grace.plus(RECONNECT_ALLOWANCE); }

    /** Seeds presence from the database after a restart (enrolled agents, last contact). */
    public void seed(String vmKey, Instant lastSeen, String version) {
        states.merge(vmKey, new State(0, lastSeen, null, version, true, true), (a, b) -> a);
    }

    public void touch(String vmKey, String version) {
        states.compute(vmKey, (k, s) -> new State(s == null ? 0 : s.polls(), clock.instant(), s == null ? null : s.lastPollStart(),
                version != null ? version : s == null ? null : s.version(), true, s != null && s.seeded()));
    }

    public void pollStarted(String vmKey) {
        states.compute(vmKey, (k, s) -> {
            Instant now = clock.instant();
            return new State((s == null ? 0 : s.polls()) + 1, now, now, s == null ? null : s.version(), true, s != null && s.seeded());
        });
    }

    public void pollEnded(String vmKey) {
        states.compute(vmKey, (k, s) -> new State(Math.max(0, (s == null ? 1 : s.polls()) - 1), clock.instant(),
                s == null ? null : s.lastPollStart(), s == null ? null : s.version(), true, s != null && s.seeded()));
    }

    @Override
    public AgentPresence.Presence of(String vmKey) {
        State s = states.get(vmKey);
        if (s == null) return new AgentPresence.Presence(false, false, null, null);
        Instant now = clock.instant();
        boolean polling = s.polls() > 0 && s.lastPollStart() != null && s.lastPollStart().plus(MAX_HOLD).plus(grace).isAfter(now);
        boolean recent = s.lastSeen() != null && s.lastSeen().plus(grace).isAfter(now);
        boolean restarting = s.seeded() && startedAt.plus(startGrace()).isAfter(now);
        return new AgentPresence.Presence(s.enrolled(), polling || recent || restarting, s.lastSeen(), s.version());
    }

    /**
     * Logs each agent that connected or was lost since the last call (the controller's sweeper calls it
     * every second), so the log shows {@code agent connected}/{@code agent lost} with {@code vm=} as the
     * API's agent health does. An agent that reconnects within the grace was never lost.
     */
    public void logTransitions() {
        for (String vmKey : states.keySet()) {
            AgentPresence.Presence now = of(vmKey);
            Boolean before = logged.put(vmKey, now.connected());
            if (before == null ? now.connected() : before != now.connected()) {
                LOG.atLevel(now.connected() ? Level.INFO : Level.WARN).addKeyValue("vm", vmKey)
                        .addKeyValue("lastSeen", now.lastSeen()).addKeyValue("version", now.agentVersion())
                        .log(now.connected() ? "agent connected" : "agent lost");
            }
        }
        logged.keySet().retainAll(states.keySet());
    }

    /** Forgets a VM's presence (agent revoked). */
    public void forget(String vmKey) { states.remove(vmKey); }

    private static final class Signal {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        long version;
    }

    /** Wakes the long-polls of {@code vmKey}. */
    @Override
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
