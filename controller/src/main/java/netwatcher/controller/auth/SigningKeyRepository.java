package netwatcher.controller.auth;

import java.time.Instant;
import java.util.List;
import netwatcher.controller.db.Database;

/** SQL for {@code signing_key}: the built-in issuer's keys, shared by every controller on the database. Thread-safe. */
public final class SigningKeyRepository {
    private final Database db;

    public SigningKeyRepository(Database db) {
        this.db = db;
    }

    /**
     * A stored key.
     *
     * @param slot        its rotation period's start (epoch seconds): one key per period
     * @param keyId       the JWK thumbprint ({@code kid})
     * @param privatePem  PKCS#8 PEM of the private key
     * @param signFrom    when it starts signing
     * @param signUntil   when it stops signing (the next period's key takes over)
     * @param verifyUntil until when tokens it signed are accepted and the JWKS lists it
     */
    public record StoredKey(long slot, String keyId, String privatePem, Instant signFrom, Instant signUntil, Instant verifyUntil) {}

    /** Keys that still verify at {@code now}, newest period first. */
    public List<StoredKey> valid(Instant now) {
        return db.query("SELECT slot, key_id, private_pem, sign_from, sign_until, verify_until FROM signing_key"
                        + " WHERE verify_until > ? ORDER BY slot DESC",
                r -> new StoredKey(r.getLong("slot"), r.getString("key_id"), r.getString("private_pem"), r.getInstant("sign_from"),
                        r.getInstant("sign_until"), r.getInstant("verify_until")), now);
    }

    /** Stores {@code key} unless its period has a key already (another controller's, which then wins). */
    public boolean offer(StoredKey key, Instant now) {
        return db.insertIfAbsent("INSERT INTO signing_key (slot, key_id, private_pem, sign_from, sign_until, verify_until, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", key.slot(), key.keyId(), key.privatePem(), key.signFrom(), key.signUntil(),
                key.verifyUntil(), now);
    }
}
