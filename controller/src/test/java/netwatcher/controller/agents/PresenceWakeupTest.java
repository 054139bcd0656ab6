package netwatcher.controller.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/** The long-poll's wake-ups: none lost between reading the orders and parking, and how often it re-checks on its own. */
class PresenceWakeupTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aWakeUpBetweenReadingTheOrdersAndParking_endsTheWaitAtOnce() throws Exception {
        Presence presence = new Presence(clock);
        long seen = presence.signalCount("vm1"); // the poll reads this, then the orders...
        presence.wake("vm1"); // ...and the order arrives before it parks
        CompletableFuture<Void> parked = CompletableFuture.runAsync(() -> await(presence, "vm1", seen, Duration.ofMinutes(10)));
        parked.get(60, TimeUnit.SECONDS); // a lost wake-up would hold it for the 10 minutes
    }

    @Test
    void wakeAll_endsEveryParkedPoll() throws Exception {
        Presence presence = new Presence(clock);
        long a = presence.signalCount("a"), b = presence.signalCount("b");
        CompletableFuture<Void> pa = CompletableFuture.runAsync(() -> await(presence, "a", a, Duration.ofMinutes(10)));
        CompletableFuture<Void> pb = CompletableFuture.runAsync(() -> await(presence, "b", b, Duration.ofMinutes(10)));
        presence.wakeAll();
        CompletableFuture.allOf(pa, pb).get(60, TimeUnit.SECONDS);
        assertFalse(pa.isCompletedExceptionally() || pb.isCompletedExceptionally());
    }

    @Test
    void recheck_isASafetyNetWhileWakeUpsArrive_andEverySecondWhileTheyMayNot() {
        assertEquals(Presence.RECHECK_WHEN_WOKEN, new Presence(clock).recheck(), "one controller: wake-ups are in-process");
        boolean[] listening = {true};
        Presence clustered = new Presence(clock, Presence.DEFAULT_GRACE, new NoShared() {
            @Override
            public boolean wakeupsReliable() { return listening[0]; }
        });
        assertEquals(Presence.RECHECK_WHEN_WOKEN, clustered.recheck());
        listening[0] = false;
        assertEquals(Duration.ofSeconds(1), clustered.recheck(), "the listener is down: notifications may be lost");
    }

    private static void await(Presence presence, String vm, long seen, Duration max) {
        try {
            presence.await(vm, seen, max);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A shared store that stores nothing: only the wake-up reliability matters here. */
    private static class NoShared implements Presence.Shared {
        @Override public void pollStarted(String vmKey, String agentId, Instant now, Instant leaseUntil) {}
        @Override public void pollEnded(String vmKey, String agentId, Instant now, Instant leaseUntil, boolean lastHere) {}
        @Override public void renew(Map<String, LeaseRenewals.Start> starts, Duration length) {}
        @Override public void contact(String vmKey, Instant now, Instant leaseUntil, String version) {}
        @Override public java.util.Optional<String> holder(String vmKey) { return java.util.Optional.empty(); }
        @Override public AgentPresence.Presence read(String vmKey, Instant now) { return null; }
        @Override public Map<String, AgentPresence.Presence> readMany(java.util.Collection<String> vmKeys, Instant now) { return Map.of(); }
        @Override public Map<String, AgentPresence.Presence> readAll(Instant now) { return Map.of(); }
        @Override public void notifyOthers(String vmKey) {}
    }
}
