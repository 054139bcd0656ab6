package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import netwatcher.controller.agents.AgentRecord;
import netwatcher.controller.agents.AgentRepository;
import netwatcher.controller.agents.Presence;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.controller.testsupport.MutableClock;

/**
 * The lease rule in the database, two controllers' presences on one database (embedded H2 and a real PostgreSQL):
 * a poll's end writes nothing, a deferred start is written by the batch with a lease from its own start, an agent
 * reads the same through either controller, and a killed agent reads {@code Disconnected} on both at most the hold
 * plus the grace after its last poll began.
 */
class DatabasePresenceTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Duration GRACE = Presence.DEFAULT_GRACE;
    static final Duration LEASE = Presence.MAX_HOLD.plus(GRACE);
    final MutableClock clock = new MutableClock(T0);
    final AgentRepository agents = new AgentRepository();

    record Row(String controllerId, Instant leaseUntil, Instant lastSeenAt) {}

    static Row row(Database db, String agentId) {
        return db.queryOne("SELECT controller_id, lease_until, last_seen_at FROM nw_agent WHERE agent_id = ?",
                r -> new Row(r.getString("controller_id"), r.getInstant("lease_until"), r.getInstant("last_seen_at")), agentId).orElseThrow();
    }

    @DatabaseTest
    void pollsOnA_readConnectedThroughB_throughDeferredStarts_andLostHoldPlusGraceAfterTheLastStart(Database db) {
        agents.insert(db, new AgentRecord("a1", "h", "vm1", T0, null, null, false));
        Presence a = new Presence(clock, GRACE, new DatabasePresence(db, "A", null));
        Presence b = new Presence(clock, GRACE, new DatabasePresence(db, "B", null));

        a.pollStarted("vm1", "a1");
        assertEquals(new Row("A", T0.plus(LEASE), T0), row(db, "a1"), "the first start writes at once");
        clock.advance(Presence.MAX_HOLD);
        a.pollEnded("vm1");
        assertEquals(new Row("A", T0.plus(LEASE), T0), row(db, "a1"), "the poll's end writes nothing");
        assertTrue(b.of("vm1").connected());

        clock.advance(Duration.ofMillis(10));
        Instant second = clock.instant();
        a.pollStarted("vm1", "a1");
        assertEquals(T0.plus(LEASE), row(db, "a1").leaseUntil(), "deferred: the lease written at the first start lasts 9.99 s more");
        assertTrue(b.of("vm1").connected(), "B reads the database's lease");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, a.renewLeases());
        assertEquals(new Row("A", second.plus(LEASE), second), row(db, "a1"));

        // the agent is killed during this poll: its poll ends at the hold, nothing more arrives
        clock.advance(Presence.MAX_HOLD.minusSeconds(1));
        a.pollEnded("vm1");
        clock.set(second.plus(LEASE).minusMillis(1));
        assertTrue(b.of("vm1").connected());
        assertTrue(a.of("vm1").connected());
        clock.set(second.plus(LEASE));
        assertFalse(b.of("vm1").connected(), "lost hold + grace after its last poll began, on B");
        assertFalse(a.of("vm1").connected(), "and on A");
    }

    @DatabaseTest
    void agentAwayOnB_andBackOnA_isWrittenAtOnceOnEach_andAnEarlyAnswerShrinksTheLease(Database db) {
        agents.insert(db, new AgentRecord("a1", "h", "vm1", T0, null, null, false));
        Presence a = new Presence(clock, GRACE, new DatabasePresence(db, "A", null));
        Presence b = new Presence(clock, GRACE, new DatabasePresence(db, "B", null));
        a.pollStarted("vm1", "a1");
        clock.advance(Presence.MAX_HOLD);
        a.pollEnded("vm1");
        b.pollStarted("vm1", "a1"); // a balancer sent the next poll to B, which never wrote this agent's lease
        Instant onB = clock.instant();
        assertEquals(new Row("B", onB.plus(LEASE), onB), row(db, "a1"));
        clock.advance(Duration.ofSeconds(3)); // new orders: B answers early
        b.pollEnded("vm1");
        Instant ended = clock.instant();
        assertEquals(new Row("B", ended.plus(GRACE), ended), row(db, "a1"), "shrunk to the grace after the early answer");
        assertTrue(a.of("vm1").connected());

        a.pollStarted("vm1", "a1"); // back on A, whose own lease B may have shortened: written at once
        assertEquals(new Row("A", ended.plus(LEASE), ended), row(db, "a1"));
    }

    @DatabaseTest
    void batch_neverShortensALease_norTakesTheAgentFromALaterStart_andSkipsARevokedCredential(Database db) {
        agents.insert(db, new AgentRecord("a1", "h", "vm1", T0, null, null, false));
        Presence a = new Presence(clock, GRACE, new DatabasePresence(db, "A", null));
        Presence b = new Presence(clock, GRACE, new DatabasePresence(db, "B", null));
        a.pollStarted("vm1", "a1");
        clock.advance(Presence.MAX_HOLD);
        a.pollEnded("vm1");
        Instant deferred = clock.instant();
        a.pollStarted("vm1", "a1"); // straight back: deferred
        clock.advance(Duration.ofSeconds(2));
        b.pollStarted("vm1", "a1"); // a second poll of the agent on B (a retry) wrote a longer lease before A's batch
        Row onB = row(db, "a1");
        assertEquals(1, a.renewLeases());
        assertEquals(onB, row(db, "a1"), "A's batch (lease from " + deferred + ") neither shortens B's nor takes the agent back");

        // a deferred start of a credential revoked before the batch runs writes nothing
        clock.advance(Presence.MAX_HOLD);
        a.pollEnded("vm1");
        b.pollEnded("vm1");
        a.pollStarted("vm1", "a1");
        Row beforeRevoke = row(db, "a1");
        agents.revoke(db, "a1");
        agents.insert(db, new AgentRecord("a2", "h", "vm1", clock.instant(), null, null, false));
        a.renewLeases();
        assertEquals(beforeRevoke, row(db, "a1"));
        assertEquals(new Row(null, null, null), row(db, "a2"), "the new credential's row is untouched");
        assertFalse(b.of("vm1").connected(), "the new agent has not polled yet");
    }

    @DatabaseTest
    void earlyAnswerOfAnAgentRevokedDuringItsHold_leavesTheNewAgentsLeaseAlone(Database db) {
        agents.insert(db, new AgentRecord("a1", "h", "vm1", T0, null, null, false));
        Presence a = new Presence(clock, GRACE, new DatabasePresence(db, "A", null));
        a.pollStarted("vm1", "a1"); // the old agent's poll, held on A
        clock.advance(Duration.ofSeconds(1));
        agents.revoke(db, "a1"); // the VM enrolled again: a new credential, whose agent polls on A too
        agents.insert(db, new AgentRecord("a2", "h", "vm1", clock.instant(), null, null, false));
        Presence.Shared store = new DatabasePresence(db, "A", null);
        store.pollStarted("vm1", "a2", clock.instant(), clock.instant().plus(LEASE));
        Row newAgent = row(db, "a2");

        clock.advance(Duration.ofSeconds(2)); // new orders: A answers the old agent's poll early
        a.pollEnded("vm1", "a1");

        assertEquals(newAgent, row(db, "a2"), "the old agent's early answer does not shrink the new agent's lease");
        assertEquals(new Row("A", T0.plus(LEASE), T0), row(db, "a1"), "nor writes the revoked row");
    }

    @DatabaseTest
    void holder_isTheControllerOfTheLatestPoll_andNoneForARevokedAgent(Database db) {
        agents.insert(db, new AgentRecord("a1", "h", "vm1", T0, null, null, false));
        Presence a = new Presence(clock, GRACE, new DatabasePresence(db, "A", null));
        Presence b = new Presence(clock, GRACE, new DatabasePresence(db, "B", null));
        assertEquals(java.util.Optional.empty(), a.holderOf("vm1"), "enrolled, never polled");
        a.pollStarted("vm1", "a1");
        assertEquals(java.util.Optional.of("A"), b.holderOf("vm1"));
        clock.advance(Presence.MAX_HOLD);
        a.pollEnded("vm1", "a1");
        b.pollStarted("vm1", "a1");
        assertEquals(java.util.Optional.of("B"), a.holderOf("vm1"), "its latest poll is on B");
        agents.revoke(db, "a1");
        assertEquals(java.util.Optional.empty(), a.holderOf("vm1"), "a revoked agent is held nowhere");
        assertEquals(java.util.Optional.empty(), new Presence(clock).holderOf("vm1"), "one controller without a shared store");
    }
}
