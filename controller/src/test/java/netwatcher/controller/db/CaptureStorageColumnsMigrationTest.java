package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * {@code capture/V6__capture_storage_columns.sql} on H2 and PostgreSQL: a capture's storage account and path,
 * which older rows packed into their order, get a column each, filled from the claim table.
 */
class CaptureStorageColumnsMigrationTest {

    private static String real(String file) throws IOException {
        try (InputStream in = CaptureStorageColumnsMigrationTest.class.getResourceAsStream("/db/migration/capture/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @DatabaseTest
    void v6_fillsTheStorageColumnsFromTheClaims(TestDatabase testDatabase) throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            for (String f : new String[] {"V1__capture.sql", "V2__capture_unclaimed_index.sql", "V3__capture_blob_claim.sql",
                    "V4__capture_stored_file.sql", "V5__capture_unsettled_index.sql"}) {
                fixture.write("capture", f, real(f));
            }
            Instant t = Instant.parse("2026-12-01T10:00:00Z");
            String account = "/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/a";
            try (Database db = testDatabase.open(fixture.loader())) {
                db.inTransaction(h -> {
                    for (String key : new String[] {"c-stored", "c-local"}) {
                        h.update("INSERT INTO nw_capture (capture_key, id_key, id, watcher_key, vm_key, name, spec_json, order_json, etag,"
                                + " provisioning_state, created_at, deleted, stop_requested, status, errors, final_state)"
                                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", key, key, "/c/" + key, "w", "vm", key, "{}",
                                "{\"key\":\"" + key + "\",\"upload\":" + (key.equals("c-stored")
                                        ? "{\"kind\":\"blob\",\"url\":\"" + account + "|network-watcher-logs/p.cap\"}" : "null") + "}",
                                "e", "Succeeded", t, false, false, "Running", "", false);
                    }
                    h.update("INSERT INTO nw_capture_blob (account_key, blob_path, capture_key) VALUES (?,?,?)",
                            account, "network-watcher-logs/p.cap", "c-stored");
                    return null;
                });
            }
            fixture.write("capture", "V6__capture_storage_columns.sql", real("V6__capture_storage_columns.sql"));
            try (Database db = testDatabase.open(fixture.loader())) {
                assertEquals(account + " network-watcher-logs/p.cap", db.queryOne("SELECT storage_account_key, blob_path FROM nw_capture"
                        + " WHERE capture_key = 'c-stored'", r -> r.getString("storage_account_key") + " " + r.getString("blob_path")).orElseThrow());
                assertNull(db.queryOne("SELECT storage_account_key FROM nw_capture WHERE capture_key = 'c-local'",
                        r -> java.util.Optional.ofNullable(r.getString("storage_account_key"))).orElseThrow().orElse(null));
            }
        }
    }
}
