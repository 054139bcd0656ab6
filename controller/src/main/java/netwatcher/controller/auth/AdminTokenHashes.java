package netwatcher.controller.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * What the database holds about the admin token: the current token's hash and, while a rotation's grace period
 * runs, the previous token's hash and when it stops verifying.
 *
 * @param current       the hash of the token every controller accepts ({@link Secrets#hash})
 * @param previous      the hash of the token the last rotation replaced, while it still verifies; null otherwise
 * @param previousUntil when {@code previous} stops verifying; null exactly when {@code previous} is
 * @param storedAt      when {@code current} was stored (first start, or the last rotation)
 */
public record AdminTokenHashes(String current, String previous, Instant previousUntil, Instant storedAt) {
    public AdminTokenHashes {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(storedAt, "storedAt");
        if ((previous == null) != (previousUntil == null)) {
            throw new IllegalArgumentException("previous and previousUntil are given together or not at all");
        }
    }

    /** Only the current token: no grace period. */
    public static AdminTokenHashes only(String current, Instant storedAt) {
        return new AdminTokenHashes(current, null, null, storedAt);
    }

    /** Whether {@code presented} is the current token, or the previous one before {@code previousUntil} (constant time). */
    public boolean accepts(String presented, Instant now) {
        boolean isCurrent = Secrets.matches(presented, current);
        boolean isPrevious = previous != null && now.isBefore(previousUntil) && Secrets.matches(presented, previous);
        return isCurrent || isPrevious;
    }

    /** Whether {@code token} is the current token itself (not a previous one in its grace period). */
    public boolean isCurrent(String token) {
        return Secrets.matches(token, current);
    }

    @Override
    public String toString() {
        return "AdminTokenHashes[storedAt=" + storedAt + ", previousUntil=" + previousUntil + "]";
    }
}
