package netwatcher.agent.control;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a random time in
 * {@code [base*2^(n-1)/2, min(cap, base*2^(n-1))]}. {@link #reset()} after a success. Not thread-safe:
 * one instance per retrying loop.
 */
public final class Backoff {
    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;
    private int failures;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap, got " + base + ", " + cap);
        }
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** The wait before the next attempt, counting one more failure. */
    public Duration nextDelay() {
        failures++;
        long ceiling = base.toMillis() << Math.min(failures - 1, 20);
        ceiling = Math.min(ceiling, cap.toMillis());
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + random.nextLong(ceiling - floor + 1));
    }

    /**
     * The wait before the next attempt after {@code failure}: {@link #nextDelay()}, or, when the controller sent a
     * {@code Retry-After} (a 503 under pressure), a random time in {@code [retryAfter, 2 * retryAfter]}, honoured
     * as sent (the client caps it at {@link ControllerClient#MAX_RETRY_AFTER}), not capped at this backoff's cap.
     * The jitter is what spreads a fleet: every agent refused in the same second is told the same
     * {@code Retry-After}, and waiting exactly that long brought them all back in the same second again (the
     * controller's load comes back in lock-step); spread over a window as long as the {@code Retry-After}, a
     * controller that asks for longer waits when busier spreads its fleet's return over a longer window.
     */
    public Duration nextDelay(RuntimeException failure) {
        Duration delay = nextDelay();
        if (failure instanceof ControllerException e && e.retryAfter().isPresent()) {
            long asked = e.retryAfter().get().toMillis();
            long spread = asked + random.nextLong(asked + 1);
            if (spread > delay.toMillis()) return Duration.ofMillis(spread);
        }
        return delay;
    }

    /** Consecutive failures since the last {@link #reset()}. */
    public int failures() { return failures; }

    public void reset() { failures = 0; }
}
