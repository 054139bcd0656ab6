package netwatcher.controller.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One process using the database, as registered in {@code nw_schema_controller}: a random id, the migrations
 * it ships (each feature's highest version, {@code "agents:2,capture:6"}), and a heartbeat. A contract
 * migration waits until every live registered process ships it; a process is live while its heartbeat is
 * younger than {@link #LIVE_SECONDS}. Heartbeats are written and compared with the database's clock
 * ({@code CURRENT_TIMESTAMP}), so the controllers' clocks do not matter here. Immutable.
 *
 * @param id random per process
 * @param migrations every migration this process ships
 */
record SchemaInstance(String id, List<Migration> migrations) {
    /** A registered process whose heartbeat is older than this is gone (killed, or cut off). */
    static final int LIVE_SECONDS = 30;

    static SchemaInstance of(List<Migration> migrations) {
        return new SchemaInstance(UUID.randomUUID().toString(), List.copyOf(migrations));
    }

    /** Each feature's highest version, e.g. {@code agents:2,capture:6}. */
    String shipped() {
        Map<String, Integer> max = new TreeMap<>();
        for (Migration m : migrations) max.merge(m.feature(), m.version(), Math::max);
        StringBuilder out = new StringBuilder();
        max.forEach((f, v) -> out.append(out.isEmpty() ? "" : ",").append(f).append(':').append(v));
        return out.toString();
    }

    /** Whether a process that ships {@code shipped} ships {@code migration}. */
    static boolean ships(String shipped, Migration migration) {
        for (String part : shipped.split(",")) {
            int colon = part.indexOf(':');
            if (colon > 0 && part.substring(0, colon).equals(migration.feature())) {
                return Integer.parseInt(part.substring(colon + 1)) >= migration.version();
            }
        }
        return false;
    }

    /** Inserts or refreshes this process's row. */
    static void register(Connection connection, SchemaInstance instance) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + Migrator.CONTROLLER_TABLE
                + " SET migrations = ?, heartbeat_at = CURRENT_TIMESTAMP WHERE instance_id = ?")) {
            update.setString(1, instance.shipped());
            update.setString(2, instance.id());
            if (update.executeUpdate() > 0) return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + Migrator.CONTROLLER_TABLE
                + " (instance_id, migrations, started_at, heartbeat_at) VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
            insert.setString(1, instance.id());
            insert.setString(2, instance.shipped());
            insert.executeUpdate();
        }
        // rows of processes gone for a day are history, not state
        try (PreparedStatement prune = connection.prepareStatement("DELETE FROM " + Migrator.CONTROLLER_TABLE
                + " WHERE heartbeat_at < CURRENT_TIMESTAMP - INTERVAL '1' DAY")) {
            prune.executeUpdate();
        }
    }

    /** What the other live processes ship. */
    static List<String> liveOthers(Connection connection, String self) throws SQLException {
        List<String> shipped = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT migrations FROM " + Migrator.CONTROLLER_TABLE
                + " WHERE instance_id <> ? AND heartbeat_at > CURRENT_TIMESTAMP - INTERVAL '" + LIVE_SECONDS + "' SECOND")) {
            select.setString(1, self);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) shipped.add(rs.getString(1));
            }
        }
        return shipped;
    }
}
