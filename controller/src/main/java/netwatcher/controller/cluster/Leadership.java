package netwatcher.controller.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which controller of a cluster does the background work (expiries, sweepers, transition logs): the holder of
 * the lease row {@code nw_leader_lease(name)}. Each {@link #tick()} renews the lease
 * ({@code WHERE holder = me AND epoch = mine}: the epoch is the fencing token) or, when the lease expired,
 * takes it over with the epoch plus one. A controller whose renewal fails, or whose last renewal is older
 * than the lease minus a safety margin, is no longer leader and stops the work ({@link #isLeader()} is asked
 * before each piece); another takes over once the lease expired, within {@code lease} of the old leader's
 * last renewal. Plain rows, no session advisory locks, so PostgreSQL-compatible distributed databases work
 * too. Lease times are the controllers' clocks: keep them synchronised to well within the margin.
 *
 * <p>With one controller ({@link #always()}) the controller is always leader. Thread-safe.
 */
public final class Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    /** The default lease: a dead leader's work resumes on another controller within this time. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

    private final Database db;
    private final String name;
    private final String holder;
    private final Duration lease;
    private final Clock clock;
    private long epoch;
    /** Until when this controller may do the work (its last confirmed renewal plus the lease minus the margin); null: not leader. */
    private Instant validUntil;

    private Leadership(Database db, String name, String holder, Duration lease, Clock clock) {
        this.db = db;
        this.name = name;
        this.holder = holder;
        this.lease = lease;
        this.clock = clock;
    }

    /** The single controller's leadership: always leader, no database. */
    public static Leadership always() { return new Leadership(null, "background", "local", DEFAULT_LEASE, Clock.systemUTC()); }

    /** Leadership of {@code name} through {@code db}'s lease row, for the controller {@code holder}. */
    public static Leadership elected(Database db, String name, String holder, Duration lease, Clock clock) {
        if (lease.compareTo(Duration.ofMillis(300)) < 0) throw new IllegalArgumentException("lease too short: " + lease);
        db.insertIfAbsent("INSERT INTO nw_leader_lease (name, holder, epoch, acquired_at, expires_at) VALUES (?, NULL, 0, NULL, ?)",
                name, Instant.EPOCH);
        return new Leadership(db, name, holder, lease, clock);
    }

    /** Renews or takes the lease; returns whether this controller is leader now. Never throws (a database fault: not leader). */
    public synchronized boolean tick() {
        if (db == null) return true;
        Instant now = clock.instant();
        Instant until = now.plus(lease);
        try {
            boolean held = validUntil != null
                    && db.update("UPDATE nw_leader_lease SET expires_at = ? WHERE name = ? AND holder = ? AND epoch = ?", until, name, holder, epoch) == 1;
            if (!held) {
                if (validUntil != null) LOG.atWarn().addKeyValue("epoch", epoch).log("background work: leadership lost");
                validUntil = null;
                if (db.update("UPDATE nw_leader_lease SET holder = ?, epoch = epoch + 1, acquired_at = ?, expires_at = ? WHERE name = ? AND expires_at < ?",
                        holder, now, until, name, now) == 1) {
                    epoch = db.queryOne("SELECT epoch FROM nw_leader_lease WHERE name = ? AND holder = ?", r -> r.getLong("epoch"), name, holder)
                            .orElseThrow(() -> new DatabaseException("lease row vanished", null));
                    held = true;
                    LOG.atInfo().addKeyValue("epoch", epoch).log("background work: this controller is leader");
                }
            }
            validUntil = held ? now.plus(lease.multipliedBy(2).dividedBy(3)) : null;
        } catch (DatabaseException | IllegalStateException e) {
            validUntil = null;
            LOG.atWarn().log("background work: lease not renewed, not leader until it is ({})", e.toString());
        }
        return validUntil != null;
    }

    /** Whether this controller may do the background work now. */
    public synchronized boolean isLeader() {
        return db == null || validUntil != null && clock.instant().isBefore(validUntil);
    }

    /** The fencing epoch of the current leadership (0 with one controller or before the first). */
    public synchronized long epoch() { return epoch; }

    /** Gives the lease up (a closing controller), so that another takes over at its next tick. */
    public synchronized void release() {
        if (db == null || validUntil == null) return;
        validUntil = null;
        try {
            db.update("UPDATE nw_leader_lease SET expires_at = ? WHERE name = ? AND holder = ? AND epoch = ?", Instant.EPOCH, name, holder, epoch);
        } catch (DatabaseException | IllegalStateException e) {
            LOG.atDebug().log("lease not released, it expires by itself: {}", e.toString());
        }
    }
}
