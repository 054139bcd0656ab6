package netwatcher.controller.agents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.controller.compute.AgentPresence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * In-memory presence of agents (open long-polls, last contact) and the wake-up of long-polls when
 * a VM's desired state changes (this controller's parked polls: {@link Wakeups}; the cluster's other controllers:
 * {@link Shared#notifyOthers}). Thread-safe.
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
 *
 * <p>In cluster mode (a {@link Shared} store given) the same rules are kept as a lease in the database,
 * so that every controller answers alike: each long-poll start gives the agent's lease ({@code lease_until})
 * the hold plus the grace after the start, a contact (report, host registration) the grace after it, and
 * {@link #of} answers from memory only for an agent whose long-poll this controller holds, else from the
 * database. A poll that ran its hold writes nothing at its end: the lease of its start ends the grace after
 * it (a poll answered early, with new orders, shrinks the lease to the grace after its end). A start of an agent
 * that came straight back to this controller, whose lease this controller wrote and which lasts well beyond the
 * next second, is not written at once but in one batch a second ({@link LeaseRenewals}, {@link #renewLeases}): at
 * 10,000 agents the two writes per poll were a third of the database's statements (BENCHMARKS.md §11). A
 * wake-up ({@link #signal}) also reaches the other controllers ({@link Shared#notifyOthers}); what they send back
 * arrives through {@link #wake}. Without a store (one controller, embedded database)
 * everything stays in memory.
 */
public final class Presence implements AgentPresence {
    private static final Logger LOG = LoggerFactory.getLogger(netwatcher.controller.agents.Presence.class); // not the inherited Presence record
    /** The controller holds an orders long-poll at most this long, whatever {@code waitSeconds} asks. */
    public static final Duration MAX_HOLD = Duration.ofSeconds(15);
    /** Default grace after a long-poll ended without the agent coming back ({@code agent-lost-seconds}). */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /** How much longer than the grace enrolled agents have to return after a controller start (agent backoff cap is 10 s). */
    static final Duration RECONNECT_ALLOWANCE = Duration.ofSeconds(20);

    /**
     * The long-poll's own re-check of its orders while wake-ups arrive reliably: none inside the hold; the safety
     * net is the hold's end and the next poll's read at its start. A 5 s re-check was two of a poll's ten statements
     * at 10,000 agents (BENCHMARKS.md §11).
     */
    public static final Duration RECHECK_WHEN_WOKEN = MAX_HOLD;

    /** A poll start defers its lease write only when the agent's previous contact here is at most this old. */
    static final Duration STRAIGHT_BACK = Duration.ofSeconds(1);
    /** A poll's end shrinks the lease only when the start's lease would outlast the end plus the grace by more than this. */
    static final Duration SHRINK_SLACK = Duration.ofSeconds(1);

    /** Presence kept in the database, shared by the controllers of a cluster. Implementations are thread-safe. */
    public interface Shared {
        /** Whether wake-ups from the other controllers arrive now (their listener is connected). */
        default boolean wakeupsReliable() { return false; }

        /**
         * An orders long-poll of the VM's agent started here: this controller holds it until {@code leaseUntil} at least.
         * {@code agentId} is the credential that made the poll (null: the VM's current agent, whichever it is).
         */
        void pollStarted(String vmKey, String agentId, Instant now, Instant leaseUntil);

        /**
         * A long-poll answered early ended here ({@code lastHere}: no other poll of the agent is open here), so the
         * lease of its start would outlast the contact plus the grace: it shrinks to {@code leaseUntil} unless another
         * controller took the agent since. Only the lease of {@code agentId}, the credential that made the poll (null:
         * the VM's current agent): the poll of an agent revoked while it was held (its VM enrolled again) must not
         * shorten the new agent's lease.
         */
        void pollEnded(String vmKey, String agentId, Instant now, Instant leaseUntil, boolean lastHere);

        /**
         * Long-poll starts held here whose lease write was deferred ({@link LeaseRenewals}), by VM key: each agent
         * (if its credential is still the VM's) is held here and its lease lasts until its start plus {@code length}
         * at least. One transaction for all; a failure writes none of them.
         */
        void renew(Map<String, LeaseRenewals.Start> starts, Duration length);

        /** Any other contact (report, host registration, enrollment): the lease lasts until {@code leaseUntil} at least. */
        void contact(String vmKey, Instant now, Instant leaseUntil, String version);

        /** The controller holding the VM's (non-revoked) agent, the one of its latest long-poll; empty when none. */
        java.util.Optional<String> holder(String vmKey);

        /** The presence recorded for the VM's (non-revoked) agent; not enrolled when there is none. */
        AgentPresence.Presence read(String vmKey, Instant now);

        /** The presence recorded for each of the VMs' agents, by VM key, in one read; a VM without an enrolled agent has no entry. */
        Map<String, AgentPresence.Presence> readMany(java.util.Collection<String> vmKeys, Instant now);

        /** The presence of every enrolled agent, by VM, in one read (the leader logs transitions from it). */
        Map<String, AgentPresence.Presence> readAll(Instant now);

        /** Wakes the long-polls of the VM on the other controllers (a hint: they re-check on their own too). */
        void notifyOthers(String vmKey);
    }

    private record State(int polls, Instant lastSeen, Instant lastPollStart, String version, boolean enrolled, boolean seeded) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Wakeups wakeups = new Wakeups();
    /** The connection state last logged per VM; written by {@link #logTransitions()} only. */
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration grace;
    private final Instant startedAt;
    /** The cluster's shared store; null with one controller. */
    private final Shared shared;
    /** Which leases this controller wrote and the deferred starts (cluster mode only). */
    private final LeaseRenewals leases = new LeaseRenewals();

    /** Presence with the {@link #DEFAULT_GRACE}. */
    public Presence(Clock clock) { this(clock, DEFAULT_GRACE); }

    /** @param grace how long after its last contact (long-poll end) an agent without an open poll still counts as connected */
    public Presence(Clock clock, Duration grace) { this(clock, grace, null); }

    /** As {@link #Presence(Clock, Duration)}, kept in {@code shared} too when not null (cluster mode). */
    public Presence(Clock clock, Duration grace, Shared shared) {
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative: " + grace);
        this.clock = clock;
        this.grace = grace;
        this.startedAt = clock.instant();
        this.shared = shared;
    }

    /** Whether presence is kept in the database for a cluster. */
    public boolean isShared() { return shared != null; }

    /** The grace after a controller start during which enrolled agents not yet back count as connected. */
    public Duration startGrace() { return grace.plus(RECONNECT_ALLOWANCE); }

    /** Seeds presence from the database after a restart (enrolled agents, last contact). */
    public void seed(String vmKey, Instant lastSeen, String version) {
        if (shared != null) return; // the database's leases outlive a restart by themselves
        states.merge(vmKey, new State(0, lastSeen, null, version, true, true), (a, b) -> a);
    }

    public void touch(String vmKey, String version) {
        State after = states.compute(vmKey, (k, s) -> new State(s == null ? 0 : s.polls(), clock.instant(), s == null ? null : s.lastPollStart(),
                version != null ? version : s == null ? null : s.version(), true, s != null && s.seeded()));
        if (shared != null) shared.contact(vmKey, after.lastSeen(), after.lastSeen().plus(grace), version);
    }

    /** A long-poll of the VM's agent started (one controller, or a caller that does not know the credential). */
    public void pollStarted(String vmKey) { pollStarted(vmKey, null); }

    /**
     * A long-poll of the VM's agent (credential {@code agentId}) started here. In cluster mode its lease grows to
     * the start plus the hold plus the grace: written now, or in the next batch when this controller wrote the
     * agent's lease and it lasts at least {@link LeaseRenewals#DEFER_MARGIN} longer.
     */
    public void pollStarted(String vmKey, String agentId) {
        Instant now = clock.instant();
        State[] before = new State[1];
        State after = states.compute(vmKey, (k, s) -> {
            before[0] = s;
            return new State((s == null ? 0 : s.polls()) + 1, now, now, s == null ? null : s.version(), true, s != null && s.seeded());
        });
        if (shared == null) return;
        Instant until = now.plus(MAX_HOLD).plus(grace);
        // straight back here: no other controller can have shortened the lease this controller wrote since
        boolean cameStraightBack = before[0] != null && before[0].lastSeen() != null && !before[0].lastSeen().isBefore(now.minus(STRAIGHT_BACK));
        if (agentId != null && cameStraightBack && !leases.startNow(vmKey, agentId, now)) {
            leases.defer(vmKey, agentId, now);
            return;
        }
        shared.pollStarted(vmKey, agentId, after.lastSeen(), until);
        if (agentId != null) leases.wrote(vmKey, agentId, until);
    }

    /**
     * A long-poll of the VM's agent ended here. In cluster mode nothing is written when the poll ran its hold (the
     * start's lease ends the grace after the end); a poll answered early (new orders) shrinks the lease to the grace
     * after its end, as a contact, so that an agent that dies then reads {@code Disconnected} the grace later.
     */
    public void pollEnded(String vmKey) { pollEnded(vmKey, null); }

    /**
     * A long-poll of the VM's agent (credential {@code agentId}, null when unknown) ended here. In cluster mode nothing is
     * written when the poll ran its hold (the start's lease ends the grace after the end); a poll answered early (new
     * orders) shrinks that agent's lease to the grace after its end, as a contact, so that an agent that dies then reads
     * {@code Disconnected} the grace later.
     */
    public void pollEnded(String vmKey, String agentId) {
        Instant now = clock.instant();
        State after = states.compute(vmKey, (k, s) -> new State(Math.max(0, (s == null ? 1 : s.polls()) - 1), now,
                s == null ? null : s.lastPollStart(), s == null ? null : s.version(), true, s != null && s.seeded()));
        if (shared == null || after.polls() > 0 || after.lastPollStart() == null) return;
        Instant contactLease = now.plus(grace);
        if (!after.lastPollStart().plus(MAX_HOLD).plus(grace).isAfter(contactLease.plus(SHRINK_SLACK))) return;
        leases.shrinking(vmKey, contactLease);
        try {
            shared.pollEnded(vmKey, agentId, now, contactLease, true);
        } catch (RuntimeException e) {
            // the poll's answer is ready: a database fault here must not replace it; the lease then lasts
            // its longer poll-start length (hold plus grace), never forever
            LOG.atWarn().addKeyValue("vm", vmKey).log("agent lease not shortened: {}", e.toString());
        }
    }

    /**
     * Writes the deferred poll starts' leases in one batch (cluster mode; the controller's lease renewer calls
     * it every second). A failed batch is retried at the next call; meanwhile a start whose lease comes within
     * {@link LeaseRenewals#DEFER_MARGIN} of its end is written at once again.
     *
     * @return the number of agents whose lease was written
     */
    public int renewLeases() {
        if (shared == null) return 0;
        Map<String, LeaseRenewals.Start> starts = leases.drain();
        if (starts.isEmpty()) return 0;
        Duration length = MAX_HOLD.plus(grace);
        try {
            shared.renew(starts, length);
        } catch (RuntimeException e) {
            leases.requeue(starts);
            LOG.atWarn().addKeyValue("agents", starts.size()).log("agent leases not renewed, retried in a second: {}", e.toString());
            return 0;
        }
        starts.forEach((vmKey, s) -> leases.wrote(vmKey, s.agentId(), s.at().plus(length)));
        return starts.size();
    }

    /**
     * The controller holding the VM's agent (its latest long-poll) in a cluster; empty when none, or without a shared
     * store (one controller: any agent it knows polls here).
     */
    public java.util.Optional<String> holderOf(String vmKey) {
        return shared == null ? java.util.Optional.empty() : shared.holder(vmKey);
    }

    @Override
    public AgentPresence.Presence of(String vmKey) {
        State s = states.get(vmKey);
        Instant now = clock.instant();
        if (shared != null) {
            // our own open long-poll is known here for certain; anything else is the database's
            if (s != null && s.version() != null && polling(s, now)) return new AgentPresence.Presence(true, true, s.lastSeen(), s.version());
            return shared.read(vmKey, now);
        }
        if (s == null) return new AgentPresence.Presence(false, false, null, null);
        boolean polling = polling(s, now);
        boolean recent = s.lastSeen() != null && s.lastSeen().plus(grace).isAfter(now);
        boolean restarting = s.seeded() && startedAt.plus(startGrace()).isAfter(now);
        return new AgentPresence.Presence(s.enrolled(), polling || recent || restarting, s.lastSeen(), s.version());
    }

    @Override
    public Map<String, AgentPresence.Presence> ofAll(java.util.Collection<String> vmKeys) {
        if (shared == null) return AgentPresence.super.ofAll(vmKeys);
        Instant now = clock.instant();
        Map<String, AgentPresence.Presence> out = new java.util.LinkedHashMap<>();
        java.util.List<String> elsewhere = new java.util.ArrayList<>();
        for (String k : vmKeys) {
            State s = states.get(k);
            // as of(): our own open long-poll is known here for certain; the rest in one read of the leases
            if (s != null && s.version() != null && polling(s, now)) {
                out.put(k, new AgentPresence.Presence(true, true, s.lastSeen(), s.version()));
            } else {
                out.put(k, null); // keeps the caller's order; filled from the read below
                elsewhere.add(k);
            }
        }
        Map<String, AgentPresence.Presence> read = elsewhere.isEmpty() ? Map.of() : shared.readMany(elsewhere, now);
        AgentPresence.Presence none = new AgentPresence.Presence(false, false, null, null);
        for (String k : elsewhere) out.put(k, read.getOrDefault(k, none));
        return out;
    }

    private boolean polling(State s, Instant now) {
        return s.polls() > 0 && s.lastPollStart() != null && s.lastPollStart().plus(MAX_HOLD).plus(grace).isAfter(now);
    }

    /**
     * Logs each agent that connected or was lost since the last call (the controller's sweeper calls it
     * every second), so the log shows {@code agent connected}/{@code agent lost} with {@code vm=} as the
     * API's agent health does. An agent that reconnects within the grace was never lost.
     */
    public void logTransitions() {
        Map<String, AgentPresence.Presence> now = new java.util.HashMap<>();
        if (shared != null) {
            now.putAll(shared.readAll(clock.instant())); // cluster: the leader logs every agent, once, from the leases
        } else {
            for (String vmKey : states.keySet()) now.put(vmKey, of(vmKey));
        }
        now.forEach((vmKey, p) -> {
            Boolean before = logged.put(vmKey, p.connected());
            if (before == null ? p.connected() : before != p.connected()) {
                LOG.atLevel(p.connected() ? Level.INFO : Level.WARN).addKeyValue("vm", vmKey)
                        .addKeyValue("lastSeen", p.lastSeen()).addKeyValue("version", p.agentVersion())
                        .log(p.connected() ? "agent connected" : "agent lost");
            }
        });
        logged.keySet().retainAll(now.keySet());
    }

    /** Forgets a VM's presence (agent revoked). */
    public void forget(String vmKey) {
        states.remove(vmKey);
        leases.forget(vmKey);
    }

    /** Whether {@code vmKey}'s agent has a long-poll open on this controller now (not another of the cluster). */
    public boolean pollsHere(String vmKey) {
        State s = states.get(vmKey);
        return s != null && s.polls() > 0;
    }

    /** Wakes the long-polls of {@code vmKey}, on every controller of a cluster. */
    @Override
    public void signal(String vmKey) {
        wake(vmKey);
        if (shared != null) shared.notifyOthers(vmKey);
    }

    /** Wakes the long-polls of {@code vmKey} held by this controller (a wake-up from another controller arrives here). */
    public void wake(String vmKey) { wakeups.wake(vmKey); }

    /** Waits up to {@code max} for a signal of {@code vmKey}; returns early on a signal. */
    public void await(String vmKey, Duration max) throws InterruptedException {
        await(vmKey, signalCount(vmKey), max);
    }

    /**
     * The number of wake-ups of {@code vmKey} so far: read it before reading the orders, then {@link
     * #await(String, long, Duration)} returns at once if a wake-up came in between (none is lost).
     */
    public long signalCount(String vmKey) { return wakeups.count(vmKey); }

    /** Waits up to {@code max} until {@code vmKey} had more wake-ups than {@code seen}. */
    public void await(String vmKey, long seen, Duration max) throws InterruptedException { wakeups.await(vmKey, seen, max); }

    /** Wakes every long-poll held here (the cluster's wake-up listener was lost: notifications may be missing). */
    public void wakeAll() { wakeups.wakeAll(); }

    /**
     * How often a parked long-poll re-reads its orders on its own: every second while wake-ups may be missed
     * (cluster mode with the LISTEN connection down), every {@link #RECHECK_WHEN_WOKEN} (not inside the hold) while
     * they arrive (one controller: in-process; cluster: the listener is listening). At 10,000 agents the 1 s re-check
     * alone was 10,000 statements a second (BENCHMARKS.md §11).
     */
    public Duration recheck() {
        return wakeupsReliable() ? RECHECK_WHEN_WOKEN : Duration.ofSeconds(1);
    }

    /**
     * Whether every change of a VM's orders wakes its long-polls here now: always with one controller (in-process),
     * in a cluster while the {@code LISTEN} connection is up (losing it wakes every parked poll, {@link #wakeAll}).
     * A long-poll not woken while this held throughout its wait need not read its generation again.
     */
    public boolean wakeupsReliable() {
        return shared == null || shared.wakeupsReliable();
    }

}
