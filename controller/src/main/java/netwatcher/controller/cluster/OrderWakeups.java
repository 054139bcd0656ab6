package netwatcher.controller.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseConfig;
import netwatcher.controller.db.DatabaseException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes long-polls across the controllers of a cluster through PostgreSQL {@code LISTEN/NOTIFY}: a change of
 * a VM's orders sends {@code pg_notify('nw_orders', vmKey)}; every controller listens on one connection of
 * its own (outside the pool) and wakes its long-polls of that VM. Only a hint: a notification lost (listener
 * reconnecting, database restarted) delays an order to the long-poll's periodic re-check of the order rows
 * (every second while the listener is down, every 5 s while it listens), never loses it. The same connection listens
 * on further channels a caller names (the admin token's rotation, {@code nw_identity}), each with its own hint, so
 * that a controller holds one listening connection whatever it listens for. Thread-safe; close once.
 */
public final class OrderWakeups implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrderWakeups.class);
    /** The channel every controller listens on; the payload is the VM's key. */
    public static final String CHANNEL = "nw_orders";
    private static final int POLL_MILLIS = 500;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final DatabaseConfig config;
    private final Consumer<String> wake;
    /** Further channels and what a notification on each (or the listener's loss) runs. */
    private final Map<String, Runnable> hints;
    private final Thread listener;
    private volatile boolean closed;
    private volatile Connection connection;
    private volatile boolean listening;

    /**
     * Starts listening at once; {@code wake} gets each notified VM key (on the listener thread: keep it short),
     * and null when the listener was lost (wake every long-poll: they fall back to their 1 s re-check).
     */
    public OrderWakeups(DatabaseConfig config, Consumer<String> wake) {
        this(config, wake, Map.of());
    }

    /**
     * Also listens on each of {@code hints}' channels (names of plain letters, digits and underscores); a notification
     * there runs its hint on the listener thread (keep it short), and so does the listener's loss, since
     * notifications may have been missed.
     */
    public OrderWakeups(DatabaseConfig config, Consumer<String> wake, Map<String, Runnable> hints) {
        for (String channel : hints.keySet()) {
            if (!channel.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("not a channel name: " + channel);
        }
        this.config = config;
        this.wake = wake;
        this.hints = Map.copyOf(hints);
        this.listener = Thread.ofPlatform().daemon().name("nw-wakeups").start(this::run);
    }

    /** Whether the listener is connected and listening (tests wait for it). */
    public boolean listening() { return listening; }

    /** Sends the wake-up for {@code vmKey}; a failure is logged and left to the periodic re-check. */
    public void notify(Database db, String vmKey) {
        try {
            db.queryOne("SELECT pg_notify(?, ?) AS sent", r -> Boolean.TRUE, CHANNEL, vmKey);
        } catch (DatabaseException | IllegalStateException e) {
            LOG.atDebug().addKeyValue("vm", vmKey).log("wake-up not sent (the periodic re-check delivers): {}", e.toString());
        }
    }

    private void run() {
        long backoff = 100;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password())) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                    for (String channel : hints.keySet()) s.execute("LISTEN " + channel);
                }
                listening = true;
                backoff = 100;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
                    if (batch == null) continue;
                    for (PGNotification n : batch) {
                        Runnable hint = hints.get(n.getName());
                        if (hint != null) hint.run();
                        else wake.accept(n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (closed) return;
                wake.accept(null); // notifications may be lost from now on: every parked poll re-checks, then every second
                hints.values().forEach(Runnable::run);
                LOG.atWarn().log("order wake-ups: listener lost ({}); long-polls fall back to their 1 s re-check until it is back", e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            } finally {
                listening = false;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
        listener.interrupt();
        try {
            listener.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
