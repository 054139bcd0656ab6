package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import netwatcher.arm.ArmError;
import netwatcher.arm.Json;

/**
 * {@code connectivity/V2__check_typed_states.sql} on H2 and PostgreSQL: rows written by the string-state
 * code (lower-case states and roles, a failure as a {@code "__error"} key inside the result) read as the
 * typed rows the code now expects.
 */
class CheckStatesMigrationTest {

    private static String real(String file) throws IOException {
        try (InputStream in = CheckStatesMigrationTest.class.getResourceAsStream("/db/migration/connectivity/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @DatabaseTest
    void v2_upperCasesStatesAndRoles_andMovesTheErrorOutOfTheResult(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("connectivity", "V1__checks.sql", real("V1__checks.sql"));
            Instant t = Instant.parse("2026-12-01T10:00:00Z");
            String error = Json.writeString(new ArmError("AgentStopped", "The agent of virtual machine app is not connected.", null));
            try (Database db = testDatabase.open(fixture.loader())) {
                db.inTransaction(h -> {
                    for (String[] row : new String[][] {{"k-failed", "done", "{\"__error\":" + error + "}"},
                            {"k-ok", "done", "{\"connectionStatus\":\"Reachable\",\"hops\":[]}"}, {"k-run", "probing", null}}) {
                        h.update("INSERT INTO nw_check (check_key, kind, check_id, subscription_key, location, source_vm_key, request_json,"
                                + " api_version, state, flow_json, result_json, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                row[0], "connectivity", "/c/" + row[0], "s", "westeurope", "vm", "{}", "2026-01-01", row[1], null, row[2], t, t);
                    }
                    h.update("INSERT INTO nw_check_part (check_key, vm_key, role, state, report_json, updated_at) VALUES (?,?,?,?,?,?)",
                            "k-run", "vm", "source", "delivered", null, t);
                    return null;
                });
            }
            fixture.write("connectivity", "V2__check_typed_states.sql", real("V2__check_typed_states.sql"));
            try (Database db = testDatabase.open(fixture.loader())) {
                assertEquals("DONE", state(db, "k-failed"));
                assertNull(column(db, "k-failed", "result_json"));
                assertEquals(Json.read(error, ArmError.class), Json.read(column(db, "k-failed", "error_json"), ArmError.class));
                assertEquals("{\"connectionStatus\":\"Reachable\",\"hops\":[]}", column(db, "k-ok", "result_json"));
                assertNull(column(db, "k-ok", "error_json"));
                assertEquals("PROBING", state(db, "k-run"));
                assertEquals("SOURCE/DELIVERED", db.queryOne("SELECT role, state FROM nw_check_part WHERE check_key = 'k-run'",
                        r -> r.getString("role") + "/" + r.getString("state")).orElseThrow());
            }
        }
    }

    private static String state(Database db, String key) {
        return column(db, key, "state");
    }

    private static String column(Database db, String key, String column) {
        return db.queryOne("SELECT " + column + " AS v FROM nw_check WHERE check_key = ?", r -> r.getString("v"), key).orElse(null);
    }
}
