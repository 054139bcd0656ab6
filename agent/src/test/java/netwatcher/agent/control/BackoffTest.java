package netwatcher.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The reconnect backoff with an injected random source: doubling, capped, jittered within [ceiling/2, ceiling], reset; a Retry-After spread over [it, 2 × it]. */
class BackoffTest {
    /** A random source that answers the lowest, then the highest value asked for, alternating. */
    static final class Extremes implements RandomGenerator {
        boolean high;

        @Override
        public long nextLong() { throw new UnsupportedOperationException(); }

        @Override
        public long nextLong(long bound) {
            high = !high;
            return high ? bound - 1 : 0;
        }
    }

    @Test
    void delays_double_fromBase_upToTheCap_eachWithinItsJitterWindow() {
        Backoff always = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), new RandomGenerator() {
            @Override public long nextLong() { throw new UnsupportedOperationException(); }
            @Override public long nextLong(long bound) { return bound - 1; } // the top of every window
        });
        List<Long> ceilings = new ArrayList<>();
        for (int i = 0; i < 10; i++) ceilings.add(always.nextDelay().toMillis());
        assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 6400L, 10000L, 10000L, 10000L, 10000L), ceilings);
        assertEquals(10, always.failures());

        Backoff extremes = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), new Extremes());
        assertEquals(200, extremes.nextDelay().toMillis(), "first: the top of [100, 200]");
        assertEquals(200, extremes.nextDelay().toMillis(), "second: the bottom of [200, 400]");
        assertEquals(800, extremes.nextDelay().toMillis(), "third: the top of [400, 800]");
    }

    @Test
    void jitter_spreadsAgentsThatFailedTogether() {
        RandomGenerator seeded = RandomGenerator.of("L64X128MixRandom");
        java.util.Set<Long> firstDelays = new java.util.HashSet<>();
        for (int agent = 0; agent < 50; agent++) {
            Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), seeded);
            for (int i = 0; i < 5; i++) b.nextDelay();
            long d = b.nextDelay().toMillis(); // sixth failure: window [3200, 6400]
            assertTrue(d >= 3200 && d <= 6400, "within the window: " + d);
            firstDelays.add(d);
        }
        assertTrue(firstDelays.size() > 25, "50 agents failing together retry at different times: " + firstDelays.size() + " distinct delays");
    }

    @Test
    void reset_startsOverFromTheBase_andManyFailuresNeverOverflow() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), new Extremes());
        for (int i = 0; i < 100; i++) assertTrue(b.nextDelay().toMillis() <= 10_000);
        b.reset();
        assertEquals(0, b.failures());
        assertTrue(b.nextDelay().toMillis() <= 200);
    }

    @Test
    void aRetryAfter_isAFloor_evenAboveTheCap_andOnlyWhenLongerThanTheBackoff() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1), new Extremes());
        ControllerException busy = new ControllerException(503, "ServiceUnavailable", "busy", null, Duration.ofSeconds(7));
        assertEquals(Duration.ofSeconds(7), b.nextDelay(busy));
        ControllerException quick = new ControllerException(503, "ServiceUnavailable", "busy", null, Duration.ZERO);
        assertTrue(b.nextDelay(quick).toMillis() >= 200, "Retry-After: 0 does not shorten the backoff");
        assertTrue(b.nextDelay(new ControllerException(0, null, "down", null)).toMillis() <= 1000);
        assertEquals(3, b.failures());
    }

    @Test
    void agentsToldTheSameRetryAfter_comeBackSpreadOverAWindowAsLongAsIt_notAtOneInstant() {
        RandomGenerator seeded = RandomGenerator.of("L64X128MixRandom");
        ControllerException busy = new ControllerException(503, "ServiceUnavailable", "busy", null, Duration.ofSeconds(2));
        long[] perHalfSecond = new long[4];
        for (int agent = 0; agent < 1000; agent++) {
            long d = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), seeded).nextDelay(busy).toMillis();
            assertTrue(d >= 2000 && d <= 4000, "never before the Retry-After, at most twice it: " + d);
            perHalfSecond[(int) Math.min(3, (d - 2000) / 500)]++;
        }
        for (long n : perHalfSecond) {
            assertTrue(n > 150, "each half second of the window gets a share of the fleet: " + java.util.Arrays.toString(perHalfSecond));
        }
    }

    @Test
    void badBounds_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Extremes()));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Extremes()));
    }
}
