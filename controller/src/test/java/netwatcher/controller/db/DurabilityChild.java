package netwatcher.controller.db;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * Child JVM for {@link H2DurabilityTest}: opens the embedded database, commits rows, prints
 * {@code COMMITTED <id> <id>} once {@code commit()} has returned, then waits to be killed.
 * Arguments: data directory, optional H2 WRITE_DELAY in place of 0 (for a control run showing that the
 * kill test detects a lost commit).
 */
public final class DurabilityChild {
    private DurabilityChild() {}

    public static void main(String[] args) throws Exception {
        DatabaseConfig config = DatabaseConfig.embedded(Path.of(args[0]));
        if (args.length > 1) {
            config = new DatabaseConfig(config.jdbcUrl().replace("WRITE_DELAY=0", "WRITE_DELAY=" + args[1]),
                    config.user(), config.password(),
                    config.maxPoolSize());
        }
        Database db = Database.open(config);
        UUID autoCommitted = UUID.randomUUID();
        db.update("INSERT INTO dbtest_item (id, name, created_at) VALUES (?, ?, ?)", autoCommitted, "auto",
                Instant.parse("2025-01-01T00:00:00Z"));
        UUID inTransaction = UUID.randomUUID();
        db.useTransaction(tx -> tx.update("INSERT INTO dbtest_item (id, name, created_at, body) VALUES (?, ?, ?, ?)",
                inTransaction, "tx", Instant.parse("2025-01-01T00:00:01Z"), "x".repeat(10_000)));
        System.out.println("COMMITTED " + autoCommitted + " " + inTransaction);
        System.out.flush();
        Thread.sleep(600_000); // killed long before this
    }
}
