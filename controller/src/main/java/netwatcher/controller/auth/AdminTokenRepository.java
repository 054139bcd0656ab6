package netwatcher.controller.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.Handle;
import netwatcher.controller.db.Row;

/**
 * SQL for {@code admin_token}: the one admin token hash that every controller on the database accepts, the previous
 * one during a rotation's grace period, and the hashes of rotated-away tokens ({@code admin_token_retired}).
 * Thread-safe.
 */
public final class AdminTokenRepository {
    /**
     * The PostgreSQL {@code NOTIFY} channel a rotation signals on (payload {@code admin_token}), so that every
     * controller re-reads the row at once instead of at its next bounded re-read. A hint only: the row is the record.
     */
    public static final String CHANGED_CHANNEL = "nw_identity";
    private static final String SLOT = "admin";
    private static final String COLUMNS = "token_hash, previous_hash, previous_until, created_at";

    private final Database db;
    private final Clock clock;

    public AdminTokenRepository(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The clock rows are stamped with; the admin token's checks use it too. */
    Clock clock() { return clock; }

    /** The stored hash, if any controller stored one. */
    public Optional<String> hash() {
        return db.queryOne("SELECT token_hash FROM admin_token WHERE slot = ?", r -> r.getString("token_hash"), SLOT);
    }

    /** The stored hashes (current, and previous while its grace runs), if any controller stored one. */
    public Optional<AdminTokenHashes> hashes() {
        return db.queryOne("SELECT " + COLUMNS + " FROM admin_token WHERE slot = ?", AdminTokenRepository::hashesOf, SLOT);
    }

    /** Stores {@code hash} unless a hash is stored already (then the stored one stays: read it back). */
    public void offer(String hash) {
        db.insertIfAbsent("INSERT INTO admin_token (slot, token_hash, created_at) VALUES (?, ?, ?)", SLOT, hash, clock.instant());
    }

    /**
     * Replaces the stored hash with no grace period (a rotated token of the embedded, single-controller database, whose
     * file is the truth); the replaced hash is remembered as retired.
     */
    public void replace(String hash) {
        Instant now = clock.instant();
        db.useTransaction(h -> {
            Optional<AdminTokenHashes> old = locked(h);
            if (old.isEmpty()) {
                h.update("INSERT INTO admin_token (slot, token_hash, created_at) VALUES (?, ?, ?)", SLOT, hash, now);
                return;
            }
            retire(h, old.get().current(), now);
            h.update("UPDATE admin_token SET token_hash = ?, previous_hash = NULL, previous_until = NULL, created_at = ? WHERE slot = ?",
                    hash, now, SLOT);
        });
    }

    /**
     * Makes {@code hash} the admin token's, in one transaction: the current hash becomes the previous one, verifying
     * for {@code grace} (not at all when zero), and is remembered as retired; a previous hash still in its grace
     * period stops verifying at once. On PostgreSQL every controller is told on commit ({@link #CHANGED_CHANNEL}).
     *
     * @return the hashes as stored
     * @throws IllegalStateException when no admin token is stored (no controller ever started on the database)
     */
    public AdminTokenHashes rotate(String hash, Duration grace) {
        Instant now = clock.instant();
        return db.inTransaction(h -> {
            AdminTokenHashes old = locked(h).orElseThrow(() -> new IllegalStateException(
                    "no admin token is stored in the database yet: start a controller on it first"));
            retire(h, old.current(), now);
            AdminTokenHashes rotated = grace.isZero() ? AdminTokenHashes.only(hash, now)
                    : new AdminTokenHashes(hash, old.current(), now.plus(grace), now);
            h.update("UPDATE admin_token SET token_hash = ?, previous_hash = ?, previous_until = ?, created_at = ? WHERE slot = ?",
                    rotated.current(), rotated.previous(), rotated.previousUntil(), now, SLOT);
            if (h.dialect() == Dialect.POSTGRESQL) {
                h.queryOne("SELECT pg_notify(?, ?) AS sent", r -> Boolean.TRUE, CHANGED_CHANNEL, "admin_token");
            }
            return rotated;
        });
    }

    /** Whether {@code token} is one that a rotation replaced (its hash is remembered). */
    public boolean retired(String token) {
        return db.queryOne("SELECT retired_at FROM admin_token_retired WHERE token_hash = ?", r -> r.getInstant("retired_at"),
                Secrets.hash(token)).isPresent();
    }

    private static Optional<AdminTokenHashes> locked(Handle h) {
        return h.queryOne("SELECT " + COLUMNS + " FROM admin_token WHERE slot = ? FOR UPDATE", AdminTokenRepository::hashesOf, SLOT);
    }

    private static void retire(Handle h, String hash, Instant now) {
        // not a plain INSERT: a unique violation would abort the whole transaction on PostgreSQL
        h.update("INSERT INTO admin_token_retired (token_hash, retired_at) SELECT ?, ? WHERE NOT EXISTS"
                + " (SELECT 1 FROM admin_token_retired WHERE token_hash = ?)", hash, now, hash);
    }

    private static AdminTokenHashes hashesOf(Row r) throws java.sql.SQLException {
        String previous = r.getString("previous_hash");
        Instant until = previous == null ? null : r.getInstant("previous_until");
        return new AdminTokenHashes(r.getString("token_hash"), until == null ? null : previous, until, r.getInstant("created_at"));
    }
}
