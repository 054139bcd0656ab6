package netwatcher.controller.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of answering an operation: the wait a client is told ({@code Retry-After} in whole
 * seconds, {@code retry-after-ms} clamped) and the synchronous wait for an outcome, woken by
 * {@link OperationService#targetChanged}. No database: these paths never touch it.
 */
class OperationAnswerTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
    final OperationService ops = new OperationService(null, new OperationRepository(), new MutableClock(T));

    static Operation pending(String kind) {
        return new Operation("op", "sub", "westeurope", kind, "c-1", Operation.Status.InProgress, null, null, null, T, T, T.plusSeconds(60));
    }

    static OperationResolver expecting(Duration remaining) {
        return new OperationResolver() {
            @Override
            public Optional<Outcome> resolve(Operation operation) { return Optional.empty(); }

            @Override
            public Optional<Duration> expectedRemaining(Operation operation) { return Optional.ofNullable(remaining); }
        };
    }

    @Test
    void retryAfter_isWholeSecondsRoundedUp_andNeverZero() {
        assertEquals("1", OperationService.retryAfterSeconds(Duration.ofMillis(50)));
        assertEquals("1", OperationService.retryAfterSeconds(Duration.ofMillis(1000)));
        assertEquals("2", OperationService.retryAfterSeconds(Duration.ofMillis(1001)));
        assertEquals("3", OperationService.retryAfterSeconds(Duration.ofMillis(2500)));
    }

    @Test
    void expectedRemaining_comesFromTheResolver_clampedToMinPollAndAMinute() {
        ops.register("soon", expecting(Duration.ofMillis(10)));
        ops.register("mid", expecting(Duration.ofMillis(180)));
        ops.register("late", expecting(Duration.ofMinutes(5)));
        ops.register("unknown", expecting(null));
        assertEquals(OperationService.MIN_POLL, ops.expectedRemaining(pending("soon")));
        assertEquals(Duration.ofMillis(180), ops.expectedRemaining(pending("mid")));
        assertEquals(Duration.ofSeconds(60), ops.expectedRemaining(pending("late")));
        assertEquals(OperationService.DEFAULT_POLL, ops.expectedRemaining(pending("unknown")));
        assertEquals(OperationService.DEFAULT_POLL, ops.expectedRemaining(pending("unregistered")));
    }

    @Test
    void awaitOutcome_returnsTheOutcomeOnceTheTargetChanged() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        ops.register("work", op -> done.get() ? Optional.of(new OperationResolver.Success(200, null)) : Optional.empty());
        Thread agent = Thread.ofPlatform().start(() -> {
            done.set(true);
            ops.targetChanged("c-1");
        });
        var outcome = ops.awaitOutcome("work", "sub", "westeurope", "c-1", Duration.ofSeconds(30));
        agent.join();
        assertTrue(outcome.isPresent());
        assertEquals(new OperationResolver.Success(200, null), outcome.get());
    }

    @Test
    void awaitOutcome_isEmptyWhenTheWorkDoesNotFinishWithinTheWait() throws Exception {
        ops.register("never", op -> Optional.empty());
        assertEquals(Optional.empty(), ops.awaitOutcome("never", "sub", "westeurope", "c-1", Duration.ofMillis(150)));
    }
}
