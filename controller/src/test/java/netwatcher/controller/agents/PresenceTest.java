package netwatcher.controller.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/** Presence derived from the long-poll, driven by a {@link MutableClock}. */
class PresenceTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final Presence presence = new Presence(clock);

    @Test
    void agentThatStopsPolling_isDisconnectedAfterTheGrace() {
        presence.pollStarted("vm");
        clock.advance(Duration.ofSeconds(15));
        presence.pollEnded("vm");
        assertTrue(presence.of("vm").connected());
        clock.advance(Presence.DEFAULT_GRACE.minusSeconds(1));
        assertTrue(presence.of("vm").connected(), "within the grace after its poll ended");
        clock.advance(Duration.ofSeconds(1));
        assertFalse(presence.of("vm").connected(), "no new poll within the grace");
        assertEquals(T0.plusSeconds(15), presence.of("vm").lastSeen());
    }

    @Test
    void agentThatKeepsPolling_staysConnected() {
        for (int i = 0; i < 20; i++) {
            presence.pollStarted("vm");
            clock.advance(Presence.MAX_HOLD);
            assertTrue(presence.of("vm").connected());
            presence.pollEnded("vm");
            clock.advance(Duration.ofSeconds(2));
            assertTrue(presence.of("vm").connected());
        }
    }

    @Test
    void agentKilledMidPoll_isDisconnectedWithin30Seconds() {
        presence.pollStarted("vm");
        // the agent dies now; its poll stays open on the controller until the hold ends
        clock.advance(Presence.MAX_HOLD);
        presence.pollEnded("vm");
        clock.advance(Presence.DEFAULT_GRACE);
        assertFalse(presence.of("vm").connected());
        assertTrue(Presence.MAX_HOLD.plus(Presence.DEFAULT_GRACE).compareTo(Duration.ofSeconds(30)) <= 0);
    }

    @Test
    void pollNeverClosed_doesNotKeepAnAgentForever() {
        presence.pollStarted("vm");
        clock.advance(Presence.MAX_HOLD.plus(Presence.DEFAULT_GRACE).minusSeconds(1));
        assertTrue(presence.of("vm").connected());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(presence.of("vm").connected(), "a leaked open poll counts only up to the hold plus the grace");
    }

    @Test
    void controllerRestart_givesEnrolledAgentsAGraceToReturn() {
        clock.advance(Duration.ofHours(1));
        Presence restarted = new Presence(clock);
        restarted.seed("vm", T0, "1.0");   // last contact an hour before the restart
        restarted.seed("gone", T0, "1.0");
        assertTrue(restarted.of("vm").connected(), "not lost at the instant of the restart");
        clock.advance(Duration.ofSeconds(5));
        for (int i = 0; i < 3; i++) {     // the agent reconnects and keeps polling
            restarted.pollStarted("vm");
            clock.advance(Presence.MAX_HOLD);
            restarted.pollEnded("vm");
        }
        assertTrue(clock.instant().isAfter(T0.plus(Duration.ofHours(1)).plus(restarted.startGrace())));
        assertTrue(restarted.of("vm").connected());
        assertFalse(restarted.of("gone").connected(), "an agent that did not come back is lost after the start grace");
        assertTrue(restarted.of("gone").enrolled());
    }

    @Test
    void unknownVm_isNeitherEnrolledNorConnected() {
        assertFalse(presence.of("nobody").enrolled());
        assertFalse(presence.of("nobody").connected());
    }

    @Test
    void configuredGrace_isUsed() {
        Presence p = new Presence(clock, Duration.ofSeconds(3));
        p.touch("vm", null);
        clock.advance(Duration.ofSeconds(2));
        assertTrue(p.of("vm").connected());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(p.of("vm").connected());
    }
}
