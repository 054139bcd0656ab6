package netwatcher.controller.auth;

import java.time.Clock;
import java.util.Optional;
import netwatcher.controller.db.Database;

/**
 * SQL for {@code admin_token}: the one admin token hash that every controller on the database accepts.
 * Thread-safe.
 */
public final class AdminTokenRepository {
    private static final String SLOT = "admin";
    private final Database db;
    private final Clock clock;

    public AdminTokenRepository(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The stored hash, if any controller stored one. */
    public Optional<String> hash() {
        return db.queryOne("SELECT token_hash FROM admin_token WHERE slot = ?", r -> r.getString("token_hash"), SLOT);
    }

    /** Stores {@code hash} unless a hash is stored already (then the stored one stays: read it back). */
    public void offer(String hash) {
        db.insertIfAbsent("INSERT INTO admin_token (slot, token_hash, created_at) VALUES (?, ?, ?)", SLOT, hash, clock.instant());
    }

    /** Replaces the stored hash (a rotated token of the embedded, single-controller database). */
    public void replace(String hash) {
        db.upsert("admin_token", java.util.List.of("slot"), java.util.Map.of("slot", SLOT, "token_hash", hash,
                "created_at", clock.instant()));
    }
}
