package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

/**
 * Rolling upgrades at the database level, on H2 and PostgreSQL: a controller of version N runs on a database
 * that version N+1 expanded; N+1's contract migration waits while a live controller does not ship it, and is
 * applied by N+1's heartbeat once that controller's heartbeat is older than the liveness window (stopped
 * cleanly or killed); after that, N is refused. The tests age a heartbeat instead of waiting for it.
 */
class ExpandContractTest {
    private static final String V1 = "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY, old_label VARCHAR(20));";
    private static final String V2 = "CREATE TABLE alpha_extra (id BIGINT PRIMARY KEY);\n"
            + "ALTER TABLE alpha_thing ADD COLUMN new_label VARCHAR(20);\n"
            + "UPDATE alpha_thing SET new_label = old_label;";
    private static final String V3 = "-- contract: N+1 no longer reads old_label\nALTER TABLE alpha_thing DROP COLUMN old_label;";

    @DatabaseTest
    void olderVersion_runsOnADatabaseTheNewerExpanded(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture older = new MigrationFixture(); MigrationFixture newer = new MigrationFixture()) {
            older.write("alpha", "V1__create.sql", V1);
            newer.write("alpha", "V1__create.sql", V1);
            newer.write("alpha", "V2__expand.sql", V2);
            try (Database n1 = testDatabase.open(newer.loader()); Database n = testDatabase.open(older.loader())) {
                n.update("INSERT INTO alpha_thing (id, old_label) VALUES (1, 'from N')");
                n1.update("INSERT INTO alpha_thing (id, old_label, new_label) VALUES (2, 'from N+1', 'from N+1')");
                assertEquals(List.of("from N", "from N+1"), n.query("SELECT old_label FROM alpha_thing ORDER BY id", r -> r.getString("old_label")));
                assertEquals(MigrationPhase.EXPAND, n.appliedMigrations().stream().filter(m -> m.version() == 2).findFirst().orElseThrow().phase());
            }
        }
    }

    @DatabaseTest
    void contract_waitsForTheLiveOlderVersion_thenApplies_andTheOlderIsRefusedAfter(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture older = new MigrationFixture(); MigrationFixture newer = new MigrationFixture()) {
            older.write("alpha", "V1__create.sql", V1);
            newer.write("alpha", "V1__create.sql", V1);
            newer.write("alpha", "V2__expand.sql", V2);
            newer.write("alpha", "V3__contract.sql", V3);
            Database n = testDatabase.open(older.loader());
            Database n1 = testDatabase.open(newer.loader());
            assertEquals(List.of("alpha/V3__contract.sql"), n1.pendingContracts(), "N is alive and may read old_label");
            assertEquals(2, n1.appliedMigrations().size());
            n1.heartbeat();
            assertEquals(List.of("alpha/V3__contract.sql"), n1.pendingContracts());
            n.update("INSERT INTO alpha_thing (id, old_label) VALUES (1, 'still N')");

            n.close();
            n1.heartbeat();
            assertEquals(1, n1.pendingContracts().size(), "a clean stop may be a restart: N counts until its heartbeat ages");
            ageHeartbeat(n1, "alpha:1");
            n1.heartbeat();
            assertEquals(List.of(), n1.pendingContracts());
            assertEquals(MigrationPhase.CONTRACT, n1.appliedMigrations().get(2).phase());

            MigrationException refused = assertThrows(MigrationException.class, () -> testDatabase.open(older.loader()));
            assertTrue(refused.getMessage().contains("alpha V3") && refused.getMessage().contains("contract migration"), refused.getMessage());
        }
    }

    @DatabaseTest
    void contract_treatsAControllerWithoutHeartbeatAsGone(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture older = new MigrationFixture(); MigrationFixture newer = new MigrationFixture()) {
            older.write("alpha", "V1__create.sql", V1);
            newer.write("alpha", "V1__create.sql", V1);
            newer.write("alpha", "V3__contract.sql".replace("V3", "V2"), V3);
            Database n = testDatabase.open(older.loader()); // stays open: like a process killed with -9, its row stays
            Database n1 = testDatabase.open(newer.loader());
            assertEquals(1, n1.pendingContracts().size());
            // N's last heartbeat ages past the liveness window (as after SIGKILL)
            ageHeartbeat(n1, "alpha:1");
            n1.heartbeat();
            assertEquals(List.of(), n1.pendingContracts());
            n.close();
        }
    }

    /** Moves the heartbeat of the processes shipping {@code shipped} past the liveness window, as time would. */
    private static void ageHeartbeat(Database db, String shipped) {
        db.update("UPDATE " + Migrator.CONTROLLER_TABLE + " SET heartbeat_at = heartbeat_at - INTERVAL '"
                + (SchemaInstance.LIVE_SECONDS + 1) + "' SECOND WHERE migrations = ?", shipped);
    }
}
