package netwatcher.controller.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import netwatcher.controller.db.TestDatabase;
import netwatcher.pki.CertificateAuthority;

/**
 * A cluster member's data directory as docs/deployment.md tells an operator to prepare it: the cluster's CA in
 * {@code tls/} and a {@code controller.properties} naming the shared database, plus the test's own settings. For the
 * tests that run controller processes on one PostgreSQL (here and in the cli module's cluster failover test).
 */
public final class ClusterDirectory {
    private ClusterDirectory() {}

    public static void prepare(Path dir, Path ca, TestDatabase pg, Map<String, String> settings) throws IOException {
        Files.createDirectories(dir.resolve("tls"));
        for (String file : List.of(CertificateAuthority.CERTIFICATE_FILE, CertificateAuthority.KEY_FILE)) {
            Files.copy(ca.resolve(file), dir.resolve("tls").resolve(file));
        }
        Properties p = new Properties();
        p.setProperty("database.url", pg.config().jdbcUrl());
        p.setProperty("database.user", pg.config().user());
        p.setProperty("database.password", pg.config().password());
        settings.forEach(p::setProperty);
        try (var out = Files.newBufferedWriter(dir.resolve("controller.properties"))) {
            p.store(out, null);
        }
    }
}
