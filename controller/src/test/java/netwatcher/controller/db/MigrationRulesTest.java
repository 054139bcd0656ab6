package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The expand/contract rule over every migration file of the controller: a file that is not marked
 * {@code -- contract:} holds only additive statements ({@link MigrationPhase#violations}), so that the previous
 * version keeps running on a database this version migrated (rolling upgrade, docs/deployment.md).
 */
class MigrationRulesTest {
    /**
     * Files written before rolling upgrades existed, which rewrite data the version before them read. They stay
     * as they are (an applied migration is never edited); upgrading across them means stopping every controller
     * of the older version first. Nothing may be added here: a new file like them is a contract migration.
     */
    private static final Map<String, String> BEFORE_ROLLING_UPGRADES = Map.of(
            "connectivity/V2__check_typed_states.sql", "rewrites state and result_json in place");

    @Test
    void everyMigration_isAdditive_unlessItIsAContract() throws IOException {
        Path root = Path.of("src/main/resources/db/migration");
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                files++;
                String name = root.relativize(file).toString().replace('\\', '/');
                String sql = Files.readString(file);
                List<String> violations = MigrationPhase.violations(sql);
                if (MigrationPhase.of(sql) == MigrationPhase.CONTRACT) {
                    if (violations.isEmpty()) problems.add(name + " is marked contract but removes nothing: make it an expand migration");
                } else if (BEFORE_ROLLING_UPGRADES.containsKey(name)) {
                    assertFalse(violations.isEmpty(), name + " is listed as destructive but is not: remove it from the list");
                } else {
                    violations.forEach(v -> problems.add(name + " " + v + " (mark the file '" + MigrationPhase.CONTRACT_MARKER
                            + " <why>' and put it in a later release than the code that stops needing it)"));
                }
            }
        }
        assertTrue(files >= 20, "found the migrations: " + files);
        assertEquals(List.of(), problems);
    }

    @Test
    void theRule_tellsAdditiveFromDestructive() {
        assertEquals(List.of(), MigrationPhase.violations("""
                CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(10) NOT NULL);
                CREATE UNIQUE INDEX t_v ON t (v);
                CREATE INDEX IF NOT EXISTS old_x ON old (x);
                ALTER TABLE old ADD COLUMN y VARCHAR(10);
                ALTER TABLE old ADD COLUMN IF NOT EXISTS z INTEGER NOT NULL DEFAULT 0;
                UPDATE old SET y = (SELECT MIN(v) FROM t WHERE t.id = old.id), z = 1 WHERE x = 'drop table';
                INSERT INTO t (id, v) VALUES (1, 'a');
                -- DROP TABLE old; in a comment is nothing
                """));
        for (String destructive : List.of("DROP TABLE old;", "drop index old_x;", "ALTER TABLE old DROP COLUMN x;",
                "ALTER TABLE old RENAME COLUMN x TO y;", "ALTER TABLE old ALTER COLUMN x TYPE BIGINT;",
                "ALTER TABLE old ALTER COLUMN x SET NOT NULL;", "ALTER TABLE old ADD COLUMN n INTEGER NOT NULL;",
                "ALTER TABLE old ADD CONSTRAINT u UNIQUE (x);", "CREATE UNIQUE INDEX old_u ON old (x);",
                "UPDATE old SET x = UPPER(x);", "DELETE FROM old;", "TRUNCATE old;", "DO $$ BEGIN END $$;")) {
            assertEquals(1, MigrationPhase.violations(destructive).size(), destructive);
        }
        assertEquals(MigrationPhase.CONTRACT, MigrationPhase.of("\n-- contract: N+1 stopped reading x\nALTER TABLE old DROP COLUMN x;"));
        assertEquals(MigrationPhase.EXPAND, MigrationPhase.of("-- adds y\n-- contract: not on the first line\nALTER TABLE old ADD COLUMN y INT;"));
    }
}
