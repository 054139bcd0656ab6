package netwatcher.controller.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Durable agent enrollment tokens (secret hashes only). Implementations are thread-safe. */
public interface EnrollmentTokenRepository {
    void insert(EnrollmentToken token);

    Optional<EnrollmentToken> find(String id);

    List<EnrollmentToken> list();

    /** Marks the token revoked; false when it does not exist. */
    boolean revoke(String id);

    /**
     * Counts one use, atomically and only while the token is not revoked, not expired at {@code now}
     * and has uses left; false otherwise. Safe against concurrent enrollments, also across several
     * controllers sharing one database.
     */
    boolean consume(String id, Instant now);
}
