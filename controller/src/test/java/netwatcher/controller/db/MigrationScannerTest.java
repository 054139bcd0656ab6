package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationScannerTest {

    @Test
    void scan_whenSeveralFeatures_ordersByFeatureThenVersion() throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("zeta", "V1__z.sql", "SELECT 1;");
            fixture.write("alpha", "V2__second_step.sql", "SELECT 2;");
            fixture.write("alpha", "V1__first.sql", "SELECT 1;");
            fixture.write("alpha", "README.md", "not SQL, ignored");

            List<Migration> migrations = MigrationScanner.scan(fixture.loader());

            assertEquals(List.of("alpha/V1__first.sql", "alpha/V2__second_step.sql", "zeta/V1__z.sql"),
                    migrations.stream().map(Migration::fileName).toList());
            assertEquals("second step", migrations.get(1).description());
        }
    }

    @Test
    void scan_whenVersionMissing_failsNamingTheGap() throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__a.sql", "SELECT 1;");
            fixture.write("alpha", "V3__c.sql", "SELECT 3;");

            MigrationException failure = assertThrows(MigrationException.class,
                    () -> MigrationScanner.scan(fixture.loader()));

            assertTrue(failure.getMessage().contains("V2 is missing"), failure.getMessage());
        }
    }

    @Test
    void scan_whenSqlFileMisnamed_failsInsteadOfSkipping() throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "v1_create.sql", "SELECT 1;");

            MigrationException failure = assertThrows(MigrationException.class,
                    () -> MigrationScanner.scan(fixture.loader()));

            assertTrue(failure.getMessage().contains("misnamed migration"), failure.getMessage());
        }
    }

    @Test
    void scan_whenSameVersionDiffersBetweenRoots_fails() throws IOException {
        try (MigrationFixture one = new MigrationFixture(); MigrationFixture two = new MigrationFixture()) {
            one.write("alpha", "V1__a.sql", "SELECT 1;");
            two.write("alpha", "V1__a.sql", "SELECT 2;");
            ClassLoader both = new URLClassLoader(new URL[] {one.root().toUri().toURL(), two.root().toUri().toURL()},
                    null);

            MigrationException failure = assertThrows(MigrationException.class, () -> MigrationScanner.scan(both));

            assertTrue(failure.getMessage().contains("two different migrations alpha V1"), failure.getMessage());
        }
    }

    @Test
    void scan_whenSameFileInDirectoryAndJar_countsItOnce() throws IOException {
        try (MigrationFixture fixture = new MigrationFixture()) {
            fixture.write("alpha", "V1__a.sql", "SELECT 1;");
            URLClassLoader jar = (URLClassLoader) fixture.jarLoader(true);
            ClassLoader both = new URLClassLoader(new URL[] {fixture.root().toUri().toURL(), jar.getURLs()[0]}, null);

            assertEquals(1, MigrationScanner.scan(both).size());
        }
    }

    @Test
    void checksum_ignoresLineEndingsButNotContent() {
        Migration lf = Migration.of("a", 1, "x", "SELECT 1;\nSELECT 2;\n", "lf");
        Migration crlf = Migration.of("a", 1, "x", "SELECT 1;\r\nSELECT 2;\r\n", "crlf");
        Migration changed = Migration.of("a", 1, "x", "SELECT 1;\nSELECT 3;\n", "changed");

        assertEquals(lf.checksum(), crlf.checksum());
        assertNotEquals(lf.checksum(), changed.checksum());
    }

    @Test
    void scan_applicationClassLoader_findsTheTestMigrations() {
        List<Migration> migrations = MigrationScanner.scan(ClassLoader.getSystemClassLoader());

        assertEquals(List.of(1, 2), migrations.stream().filter(m -> m.feature().equals("dbtest"))
                .map(Migration::version).toList());
    }
}
