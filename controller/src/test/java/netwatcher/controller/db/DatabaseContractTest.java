package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The storage contract: every test runs on embedded H2 and on a real PostgreSQL server (see
 * {@link DatabaseTest}). Tables come from {@code src/test/resources/db/migration/dbtest}.
 */
class DatabaseContractTest {

    record Item(UUID id, String name, Instant createdAt, Instant updatedAt, Long sizeBytes, boolean enabled,
                String body) {}

    private static final String SELECT_ITEM =
            "SELECT id, name, created_at, updated_at, size_bytes, enabled, body FROM dbtest_item WHERE id = ?";

    private static Item item(Row row) throws java.sql.SQLException {
        return new Item(row.getUuid("id"), row.getString("name"), row.getInstant("created_at"),
                row.getInstant("updated_at"), row.getLongOrNull("size_bytes"), row.getBoolean("enabled"),
                row.getString("body"));
    }

    private static UUID insertItem(SqlOperations sql, String name) {
        UUID id = UUID.randomUUID();
        sql.update("INSERT INTO dbtest_item (id, name, created_at) VALUES (?, ?, ?)", id, name,
                Instant.parse("2025-01-02T03:04:05.123456Z"));
        return id;
    }

    // --- migrations -------------------------------------------------------------------------

    @DatabaseTest
    void open_whenFresh_appliesEachMigrationOnceInOrder(Database db) {
        List<AppliedMigration> dbtest = db.appliedMigrations().stream()
                .filter(m -> m.feature().equals("dbtest")).toList();

        assertEquals(List.of(1, 2), dbtest.stream().map(AppliedMigration::version).toList());
        assertEquals("contract tables", dbtest.get(0).description());
        assertEquals(64, dbtest.get(0).checksum().length());
        assertEquals(0L, db.queryOne("SELECT total FROM dbtest_counter WHERE name = 'seeded'",
                row -> row.getLong("total")).orElseThrow());
    }

    @DatabaseTest
    void open_whenReopened_appliesNothingAgain(TestDatabase testDatabase) {
        List<AppliedMigration> first;
        try (Database db = testDatabase.open()) {
            first = db.appliedMigrations();
        }

        try (Database reopened = testDatabase.open()) {
            assertEquals(first, reopened.appliedMigrations());
            assertEquals(1L, reopened.queryOne("SELECT count(*) AS n FROM dbtest_counter WHERE name = 'seeded'",
                    row -> row.getLong("n")).orElseThrow());
        }
    }

    @DatabaseTest
    void open_whenAppliedMigrationWasEdited_failsNamingTheFile(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);");
            testDatabase.open(fixture.loader()).close();

            fixture.write("alpha", "V1__create_alpha.sql",
                    "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY, extra TEXT);");
            MigrationException failure = assertThrows(MigrationException.class,
                    () -> testDatabase.open(fixture.loader()));

            assertTrue(failure.getMessage().contains("V1__create_alpha.sql"), failure.getMessage());
            assertTrue(failure.getMessage().contains("was changed after it was applied"), failure.getMessage());
            assertTrue(failure.getMessage().contains("add V2__"), failure.getMessage());
        }
    }

    @DatabaseTest
    void open_whenNewVersionAdded_appliesOnlyTheNewOne(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);");
            testDatabase.open(fixture.loader()).close();
            fixture.write("alpha", "V2__add_label.sql", "ALTER TABLE alpha_thing ADD COLUMN label VARCHAR(20);\n"
                    + "INSERT INTO alpha_thing (id, label) VALUES (1, 'a;b');");

            try (Database db = testDatabase.open(fixture.loader())) {
                assertEquals(List.of(1, 2), db.appliedMigrations().stream().map(AppliedMigration::version).toList());
                assertEquals("a;b", db.queryOne("SELECT label FROM alpha_thing WHERE id = 1",
                        row -> row.getString("label")).orElseThrow());
            }
        }
    }

    @DatabaseTest
    void open_whenRecordedVersionMissingOnClasspath_fails(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture newer = new MigrationFixture(); MigrationFixture older = new MigrationFixture()) {
            newer.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);");
            // a recorded version the older controller lacks stops it when it was a contract (an expand is
            // ignored since rolling upgrades: ExpandContractTest)
            newer.write("alpha", "V2__more.sql", "-- contract: the older version's table goes\nDROP TABLE alpha_thing;");
            older.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);");
            testDatabase.open(newer.loader()).close();

            MigrationException failure = assertThrows(MigrationException.class,
                    () -> testDatabase.open(older.loader()));

            assertTrue(failure.getMessage().contains("alpha V2"), failure.getMessage());
        }
    }

    @DatabaseTest
    void open_whenMigrationStatementFails_reportsFileAndLineAndRecordsNothingForIt(TestDatabase testDatabase)
            throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);");
            fixture.write("alpha", "V2__broken.sql", "CREATE TABLE alpha_two (id BIGINT);\n\nINSERT INTO nowhere VALUES (1);");

            MigrationException failure = assertThrows(MigrationException.class,
                    () -> testDatabase.open(fixture.loader()));
            assertTrue(failure.getMessage().contains("V2__broken.sql failed at statement 2 (line 3)"),
                    failure.getMessage());

            fixture.delete("alpha", "V2__broken.sql");
            try (Database db = testDatabase.open(fixture.loader())) {
                List<Integer> versions = db.appliedMigrations().stream().map(AppliedMigration::version).toList();
                assertEquals(List.of(1), versions);
                if (db.dialect() == Dialect.POSTGRESQL) {
                    // transactional DDL: the failed file left nothing behind
                    assertEquals(0L, db.queryOne("SELECT count(*) AS n FROM information_schema.tables"
                            + " WHERE table_name = 'alpha_two'", row -> row.getLong("n")).orElseThrow());
                }
            }
        }
    }

    @DatabaseTest
    void open_whenTwoControllersStartAtOnce_appliesEachMigrationOnce(TestDatabase testDatabase) throws Exception {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);\n"
                    + "INSERT INTO alpha_thing (id) VALUES (1);");
            fixture.write("beta", "V1__create_beta.sql", "CREATE TABLE beta_thing (id BIGINT PRIMARY KEY);");
            int controllers = 4;
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(controllers)) {
                List<Future<Database>> opened = new ArrayList<>();
                for (int i = 0; i < controllers; i++) {
                    opened.add(pool.submit(() -> {
                        start.await();
                        return testDatabase.open(fixture.loader());
                    }));
                }
                start.countDown();
                for (Future<Database> future : opened) {
                    Database db = future.get(60, TimeUnit.SECONDS);
                    assertEquals(2, db.appliedMigrations().size());
                    assertEquals(1L, db.queryOne("SELECT count(*) AS n FROM alpha_thing", row -> row.getLong("n"))
                            .orElseThrow());
                }
            }
        }
    }

    @DatabaseTest
    void open_fromJar_findsMigrationsWithAndWithoutDirectoryEntries(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__create_alpha.sql", "CREATE TABLE alpha_thing (id BIGINT PRIMARY KEY);");
            fixture.write("beta", "V1__create_beta.sql", "CREATE TABLE beta_thing (id BIGINT PRIMARY KEY);");

            try (Database db = testDatabase.open(fixture.jarLoader(true))) {
                assertEquals(List.of("alpha", "beta"),
                        db.appliedMigrations().stream().map(AppliedMigration::feature).toList());
            }
            try (Database db = testDatabase.open(fixture.jarLoader(false))) {
                assertEquals(2, db.appliedMigrations().size());
            }
        }
    }

    // --- statements and types ---------------------------------------------------------------

    @DatabaseTest
    void instant_whenStored_readsBackExactToTheMicrosecond(Database db) {
        Instant precise = Instant.parse("2025-06-30T23:59:59.123456789Z");
        Instant edge = Instant.parse("2024-02-29T12:00:00.999999999Z");
        UUID id = UUID.randomUUID();

        db.update("INSERT INTO dbtest_item (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                id, "time", precise, edge);
        Item read = db.queryOne(SELECT_ITEM, DatabaseContractTest::item, id).orElseThrow();

        assertEquals(Instant.parse("2025-06-30T23:59:59.123456Z"), read.createdAt());
        assertEquals(Instant.parse("2024-02-29T12:00:00.999999Z"), read.updatedAt());
        assertEquals(1, db.query("SELECT id FROM dbtest_item WHERE created_at = ?", row -> row.getUuid("id"),
                precise).size(), "the same Instant must match in a WHERE clause");
        assertEquals(1, db.query("SELECT id FROM dbtest_item WHERE created_at > ? AND created_at < ?",
                row -> row.getUuid("id"), Instant.parse("2025-06-30T23:59:59.123455Z"),
                Instant.parse("2025-06-30T23:59:59.123457Z")).size());
    }

    @DatabaseTest
    void text_whenOneMegabyteOfJson_roundTripsUnchanged(Database db) {
        StringBuilder json = new StringBuilder("{\"entries\":[");
        for (int i = 0; json.length() < 1_048_576; i++) {
            json.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append(",\"s\":\"ünïcødé ✓ \\\"q\\\"\"}");
        }
        String body = json.append("]}").toString();
        UUID id = UUID.randomUUID();

        db.update("INSERT INTO dbtest_item (id, name, created_at, body) VALUES (?, ?, ?, ?)", id, "big",
                Instant.EPOCH, body);

        assertEquals(body, db.queryOne("SELECT body FROM dbtest_item WHERE id = ?", row -> row.getString("body"), id)
                .orElseThrow());
    }

    @DatabaseTest
    void nullParameters_whenBound_storeSqlNull(Database db) {
        UUID id = UUID.randomUUID();

        db.update("INSERT INTO dbtest_item (id, name, created_at, updated_at, size_bytes, body) VALUES (?, ?, ?, ?, ?, ?)",
                id, "nulls", Instant.EPOCH, null, null, null);
        Item read = db.queryOne(SELECT_ITEM, DatabaseContractTest::item, id).orElseThrow();

        assertNull(read.updatedAt());
        assertNull(read.sizeBytes());
        assertNull(read.body());
        DatabaseException failure = assertThrows(DatabaseException.class, () -> db.queryOne(
                "SELECT size_bytes FROM dbtest_item WHERE id = ?", row -> row.getLong("size_bytes"), id));
        assertTrue(failure.getMessage().contains("size_bytes is NULL"), failure.getMessage());
    }

    enum Color { RED, GREEN }

    @DatabaseTest
    void scalarTypes_whenBound_roundTrip(Database db) {
        UUID id = UUID.randomUUID();
        db.update("INSERT INTO dbtest_item (id, name, created_at, size_bytes, enabled, body) VALUES (?, ?, ?, ?, ?, ?)",
                id, "types", Instant.EPOCH, Long.MAX_VALUE, false, Color.GREEN);

        Item read = db.queryOne(SELECT_ITEM, DatabaseContractTest::item, id).orElseThrow();

        assertEquals(new Item(id, "types", Instant.EPOCH, null, Long.MAX_VALUE, false, "GREEN"), read);
        assertEquals(Color.GREEN, db.queryOne("SELECT body FROM dbtest_item WHERE id = ?",
                row -> row.getEnum("body", Color.class), id).orElseThrow());
        assertEquals(List.of(id), db.query("SELECT id FROM dbtest_item WHERE enabled = ? AND size_bytes = ?",
                row -> row.getUuid("id"), false, Long.MAX_VALUE));
    }

    @DatabaseTest
    void bind_whenUnsupportedType_failsBeforeTheDriver(Database db) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> db.query("SELECT id FROM dbtest_item WHERE name = ?", row -> row.getUuid("id"), new Object()));
        assertTrue(failure.getMessage().contains("parameter 1"), failure.getMessage());
    }

    @DatabaseTest
    void queryOne_whenSeveralRows_fails(Database db) {
        insertItem(db, "twin");
        insertItem(db, "twin");

        assertThrows(DatabaseException.class, () -> db.queryOne("SELECT id FROM dbtest_item WHERE name = ?",
                row -> row.getUuid("id"), "twin"));
        assertEquals(Optional.empty(), db.queryOne("SELECT id FROM dbtest_item WHERE name = ?",
                row -> row.getUuid("id"), "nobody"));
    }

    @DatabaseTest
    void update_whenDuplicateKey_failsAsUniqueViolation(Database db) {
        UUID id = insertItem(db, "first");

        DatabaseException failure = assertThrows(DatabaseException.class, () -> db.update(
                "INSERT INTO dbtest_item (id, name, created_at) VALUES (?, ?, ?)", id, "again", Instant.EPOCH));

        assertTrue(failure.isUniqueViolation(), failure.getMessage());
        assertTrue(failure.getMessage().contains("INSERT INTO dbtest_item"), failure.getMessage());
    }

    @DatabaseTest
    void batch_whenSeveralRows_insertsAll(Database db) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(new Object[] {"c" + i, (long) i});
        }

        int[] counts = db.batch("INSERT INTO dbtest_counter (name, total) VALUES (?, ?)", rows);

        assertEquals(50, counts.length);
        assertEquals(1225L, db.queryOne("SELECT sum(total) AS total FROM dbtest_counter WHERE name LIKE 'c%'",
                row -> row.getLong("total")).orElseThrow());
    }

    // --- transactions -------------------------------------------------------------------------

    @DatabaseTest
    void inTransaction_whenBodyThrows_rollsBackEverythingAndRethrowsTheSameException(Database db) {
        IllegalStateException thrown = new IllegalStateException("boom");

        IllegalStateException caught = assertThrows(IllegalStateException.class, () -> db.inTransaction(tx -> {
            insertItem(tx, "doomed-1");
            insertItem(tx, "doomed-2");
            throw thrown;
        }));

        assertSame(thrown, caught);
        assertEquals(List.of(), db.query("SELECT id FROM dbtest_item WHERE name LIKE 'doomed%'",
                row -> row.getUuid("id")));
    }

    static final class CheckedFailure extends Exception {
        private static final long serialVersionUID = 1L;
    }

    @DatabaseTest
    void inTransaction_whenCheckedExceptionThrown_rollsBackAndPropagatesIt(Database db) {
        assertThrows(CheckedFailure.class, () -> db.inTransaction(tx -> {
            insertItem(tx, "checked");
            if (tx.dialect() != null) {
                throw new CheckedFailure();
            }
            return 0;
        }));

        assertEquals(0, db.query("SELECT id FROM dbtest_item WHERE name = 'checked'", row -> row.getUuid("id")).size());
    }

    @DatabaseTest
    void inTransaction_whenStatementFails_rollsBackEarlierStatements(Database db) {
        UUID existing = insertItem(db, "existing");

        assertThrows(DatabaseException.class, () -> db.useTransaction(tx -> {
            insertItem(tx, "before-failure");
            tx.update("INSERT INTO dbtest_item (id, name, created_at) VALUES (?, ?, ?)", existing, "dup", Instant.EPOCH);
        }));

        assertEquals(0, db.query("SELECT id FROM dbtest_item WHERE name = 'before-failure'",
                row -> row.getUuid("id")).size());
    }

    @DatabaseTest
    void inTransaction_whenBodyReturns_commitsAndReturnsTheResult(Database db) {
        UUID id = db.inTransaction(tx -> insertItem(tx, "kept"));

        assertEquals("kept", db.queryOne(SELECT_ITEM, DatabaseContractTest::item, id).orElseThrow().name());
    }

    @DatabaseTest
    void handle_whenUsedAfterItsTransaction_fails(Database db) {
        Handle leaked = db.inTransaction(tx -> tx);

        assertThrows(IllegalStateException.class, () -> leaked.update("DELETE FROM dbtest_item"));
    }

    @DatabaseTest
    void inTransaction_whenConcurrentIncrementsUseSelectForUpdate_losesNoUpdate(Database db) throws Exception {
        db.update("INSERT INTO dbtest_counter (name, total) VALUES ('hits', 0)");
        int threads = 4;
        int incrementsEach = 25;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < incrementsEach; i++) {
                        db.inTransaction(tx -> {
                            long value = tx.queryOne("SELECT total FROM dbtest_counter WHERE name = ? FOR UPDATE",
                                    row -> row.getLong("total"), "hits").orElseThrow();
                            return tx.update("UPDATE dbtest_counter SET total = ? WHERE name = ?", value + 1, "hits");
                        });
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        }

        assertEquals((long) threads * incrementsEach, db.queryOne("SELECT total FROM dbtest_counter WHERE name = 'hits'",
                row -> row.getLong("total")).orElseThrow());
    }

    @DatabaseTest
    void inTransaction_whenRowLockedByAnother_waitsForItsCommit(Database db) throws Exception {
        db.update("INSERT INTO dbtest_counter (name, total) VALUES ('gate', 1)");
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> holder = pool.submit(() -> {
                db.useTransaction(tx -> {
                    tx.queryOne("SELECT total FROM dbtest_counter WHERE name = 'gate' FOR UPDATE",
                            row -> row.getLong("total"));
                    tx.update("UPDATE dbtest_counter SET total = 2 WHERE name = 'gate'");
                    locked.countDown();
                    release.await();
                });
                return null;
            });
            assertTrue(locked.await(30, TimeUnit.SECONDS));
            Future<Long> reader = pool.submit(() -> db.inTransaction(tx -> tx.queryOne(
                    "SELECT total FROM dbtest_counter WHERE name = 'gate' FOR UPDATE", row -> row.getLong("total"))
                    .orElseThrow()));
            assertFalse(reader.isDone() && reader.get() == 1L, "a locking read must not see the old value");
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);

            assertEquals(2L, reader.get(30, TimeUnit.SECONDS));
        }
    }

    // --- upsert -------------------------------------------------------------------------------

    @DatabaseTest
    void upsert_whenAbsentThenPresent_insertsThenUpdates(Database db) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scope", "agent-1");
        row.put("name", "mode");
        row.put("setting_value", "passive");
        db.upsert("dbtest_setting", List.of("scope", "name"), row);
        row.put("setting_value", "active");
        db.upsert("dbtest_setting", List.of("scope", "name"), row);
        db.upsert("dbtest_setting", List.of("scope", "name"), Map.of("scope", "agent-2", "name", "mode", "setting_value", "x"));

        assertEquals(List.of("agent-1=active", "agent-2=x"), db.query(
                "SELECT scope, setting_value FROM dbtest_setting WHERE name = 'mode' ORDER BY scope",
                r -> r.getString("scope") + "=" + r.getString("setting_value")));
    }

    @DatabaseTest
    void upsert_whenOnlyKeyColumns_leavesExistingRow(Database db) {
        db.upsert("dbtest_setting", List.of("scope", "name"), Map.of("scope", "s", "name", "n", "setting_value", "kept"));

        db.inTransaction(tx -> {
            tx.upsert("dbtest_setting", List.of("scope", "name"), Map.of("scope", "s", "name", "n"));
            return null;
        });

        assertEquals("kept", db.queryOne("SELECT setting_value FROM dbtest_setting WHERE scope = 's'",
                r -> r.getString("setting_value")).orElseThrow());
    }

    @DatabaseTest
    void upsert_whenConcurrentOnSameKey_leavesOneRowWithOneOfTheValues(Database db) throws Exception {
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String value = "v" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20; i++) {
                        db.upsert("dbtest_setting", List.of("scope", "name"),
                                Map.of("scope", "race", "name", "k", "setting_value", value));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        }

        List<String> values = db.query("SELECT setting_value FROM dbtest_setting WHERE scope = 'race'", r -> r.getString("setting_value"));
        assertEquals(1, values.size());
        assertTrue(values.getFirst().matches("v[0-3]"), values.toString());
    }

    @DatabaseTest
    void upsert_whenIdentifierIsNotPlain_isRejected(Database db) {
        assertThrows(IllegalArgumentException.class, () -> db.upsert("dbtest_setting; DROP TABLE x",
                List.of("scope"), Map.of("scope", "s")));
        assertThrows(IllegalArgumentException.class, () -> db.upsert("dbtest_setting",
                List.of("missing"), Map.of("scope", "s")));
    }

    // --- lifecycle -------------------------------------------------------------------------------

    @DatabaseTest
    void close_whenClosed_rejectsFurtherCalls_asUnavailable(TestDatabase testDatabase) {
        Database db = testDatabase.open();
        db.close();

        // unavailable, not a server fault: requests still in flight while a controller stops are answered 503
        DatabaseException e = assertThrows(DatabaseException.class, () -> db.query("SELECT 1 AS one", row -> row.getInt("one")));
        assertTrue(e.isUnavailable(), e.toString());
        assertEquals("08003", e.sqlState());
    }

    @DatabaseTest
    void reopen_afterClose_keepsCommittedRows(TestDatabase testDatabase) {
        UUID id;
        try (Database db = testDatabase.open()) {
            id = insertItem(db, "persistent");
        }

        try (Database db = testDatabase.open()) {
            assertEquals("persistent", db.queryOne(SELECT_ITEM, DatabaseContractTest::item, id).orElseThrow().name());
        }
    }

    @DatabaseTest
    void dialect_matchesTheEngine(Database db, Dialect dialect) {
        assertEquals(dialect, db.dialect());
        String version = db.queryOne("SELECT version() AS v", row -> row.getString("v")).orElseThrow();
        assertTrue(version.toLowerCase().contains(dialect == Dialect.H2 ? "h2" : "postgresql"), version);
    }

    @DatabaseTest
    void binaryColumn_roundTrips(Database db) {
        db.update("CREATE TABLE dbtest_blob (id BIGINT PRIMARY KEY, data BYTEA)");
        byte[] data = {0, 1, 2, (byte) 0xff, 42};

        db.update("INSERT INTO dbtest_blob (id, data) VALUES (?, ?)", 1L, data);

        assertArrayEquals(data, db.queryOne("SELECT data FROM dbtest_blob WHERE id = 1", r -> r.getBytes("data"))
                .orElseThrow());
    }
}
