package netwatcher.controller.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * The cluster lease rule ({@link Presence} with {@link LeaseRenewals}), driven by a {@link MutableClock}: which poll
 * starts write at once, which wait for the batch, which ends write.
 */
class LeaseRenewalsTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Duration GRACE = Presence.DEFAULT_GRACE;
    static final Duration LEASE = Presence.MAX_HOLD.plus(GRACE);
    final MutableClock clock = new MutableClock(T0);
    final RecordingShared shared = new RecordingShared();
    final Presence presence = new Presence(clock, GRACE, shared);

    @Test
    void firstStart_writesAtOnce_andTheEndOfAPollThatRanItsHoldWritesNothing() {
        presence.pollStarted("vm", "a1");
        assertEquals(List.of("start vm until " + T0.plus(LEASE)), shared.writes);
        clock.advance(Presence.MAX_HOLD.plusMillis(30));
        presence.pollEnded("vm");
        assertEquals(1, shared.writes.size(), "the start's lease ends the grace after the end: " + shared.writes);
    }

    @Test
    void nextStart_straightBack_waitsForTheBatch_withALeaseCountedFromItsOwnStart() {
        presence.pollStarted("vm", "a1");
        clock.advance(Presence.MAX_HOLD);
        presence.pollEnded("vm");
        clock.advance(Duration.ofMillis(20));
        Instant second = clock.instant();
        presence.pollStarted("vm", "a1");
        assertEquals(1, shared.writes.size(), "deferred: the lease written at the first start still lasts 9.98 s");

        clock.advance(Duration.ofMillis(900)); // the renewer's next second
        assertEquals(1, presence.renewLeases());
        assertEquals("batch {vm=a1 until " + second.plus(LEASE) + "}", shared.writes.get(1),
                "counted from the start, not from the batch: a killed agent is lost hold + grace after its last start");
        assertEquals(0, presence.renewLeases(), "each start is written once");
        assertEquals(2, shared.writes.size());
    }

    @Test
    void pollAnsweredEarly_shrinksTheLeaseToTheGraceAfterItsEnd_andDropsAQueuedStart() {
        presence.pollStarted("vm", "a1");
        clock.advance(Duration.ofSeconds(2)); // new orders: answered early
        presence.pollEnded("vm");
        assertEquals("end vm until " + T0.plusSeconds(2).plus(GRACE), shared.writes.get(1));
        presence.pollStarted("vm", "a1"); // straight back, the lease (12 s) lasts beyond the margin
        assertEquals(2, shared.writes.size(), "deferred");
        clock.advance(Duration.ofMillis(300));
        presence.pollEnded("vm"); // answered early again before the batch ran
        assertEquals(3, shared.writes.size());
        assertEquals(0, presence.renewLeases(), "the queued start was superseded by the end's shorter lease");
    }

    @Test
    void start_afterTheAgentWasAwayFromThisController_writesAtOnce() {
        presence.pollStarted("vm", "a1");
        clock.advance(Presence.MAX_HOLD);
        presence.pollEnded("vm");
        clock.advance(Presence.MAX_HOLD); // its next poll ran on another controller, which may have shrunk the lease
        presence.pollStarted("vm", "a1");
        assertEquals(2, shared.writes.size(), shared.writes.toString());
        assertTrue(shared.writes.get(1).startsWith("start vm"));
    }

    @Test
    void start_whenTheWrittenLeaseEndsWithinTheMargin_writesAtOnce() {
        Presence shortGrace = new Presence(clock, Duration.ofSeconds(2), shared);
        shortGrace.pollStarted("vm", "a1");
        clock.advance(Presence.MAX_HOLD);
        shortGrace.pollEnded("vm");
        shortGrace.pollStarted("vm", "a1"); // straight back, but the lease (start + 17 s) ends in 2 s < 5 s
        assertEquals(2, shared.writes.size(), shared.writes.toString());
        assertEquals(0, shortGrace.renewLeases());
    }

    @Test
    void start_ofAnotherCredentialForTheVm_writesAtOnce() {
        presence.pollStarted("vm", "a1");
        clock.advance(Presence.MAX_HOLD);
        presence.pollEnded("vm");
        presence.pollStarted("vm", "a2"); // re-enrolled (possibly through another controller): a new row, no lease of ours
        assertEquals(2, shared.writes.size(), shared.writes.toString());
    }

    @Test
    void start_afterTheVmWasForgotten_writesAtOnce() {
        presence.pollStarted("vm", "a1");
        clock.advance(Presence.MAX_HOLD);
        presence.pollEnded("vm");
        presence.forget("vm");
        presence.pollStarted("vm", "a1");
        assertEquals(2, shared.writes.size(), shared.writes.toString());
    }

    @Test
    void failedBatch_isRetriedAtTheNextCall() {
        presence.pollStarted("vm", "a1");
        clock.advance(Presence.MAX_HOLD);
        presence.pollEnded("vm");
        Instant deferred = clock.instant();
        presence.pollStarted("vm", "a1");
        shared.failNext = true;
        assertEquals(0, presence.renewLeases(), "the database refused the batch");
        assertEquals(1, presence.renewLeases());
        assertEquals("batch {vm=a1 until " + deferred.plus(LEASE) + "}", shared.writes.get(1));
    }

    @Test
    void oneController_renewsNothing_andAnswersFromMemory() {
        Presence alone = new Presence(clock);
        alone.pollStarted("vm", "a1");
        assertEquals(0, alone.renewLeases());
        assertTrue(alone.of("vm").connected());
    }

    @Test
    void recheck_whileWakeUpsArrive_isNoneInsideTheHold() {
        assertEquals(Presence.MAX_HOLD, Presence.RECHECK_WHEN_WOKEN);
    }

    /** Records the lease writes; fails loudly on calls this test does not expect. */
    static final class RecordingShared implements Presence.Shared {
        final List<String> writes = new ArrayList<>();
        boolean failNext;

        @Override public void pollStarted(String vmKey, String agentId, Instant now, Instant leaseUntil) {
            writes.add("start " + vmKey + " until " + leaseUntil);
        }

        @Override public void pollEnded(String vmKey, String agentId, Instant now, Instant leaseUntil, boolean lastHere) {
            writes.add("end " + vmKey + " until " + leaseUntil);
        }

        @Override public void renew(Map<String, LeaseRenewals.Start> starts, Duration length) {
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("database down");
            }
            StringBuilder b = new StringBuilder("batch {");
            starts.forEach((vm, s) -> b.append(vm).append('=').append(s.agentId()).append(" until ").append(s.at().plus(length)));
            writes.add(b.append('}').toString());
        }

        @Override public void contact(String vmKey, Instant now, Instant leaseUntil, String version) { throw new AssertionError("contact " + vmKey); }
        @Override public java.util.Optional<String> holder(String vmKey) { throw new AssertionError("holder " + vmKey); }
        @Override public AgentPresence.Presence read(String vmKey, Instant now) { throw new AssertionError("read " + vmKey); }
        @Override public Map<String, AgentPresence.Presence> readMany(java.util.Collection<String> vmKeys, Instant now) { throw new AssertionError("readMany"); }
        @Override public Map<String, AgentPresence.Presence> readAll(Instant now) { throw new AssertionError("readAll"); }
        @Override public void notifyOthers(String vmKey) { throw new AssertionError("notify " + vmKey); }
    }
}
