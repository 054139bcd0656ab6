package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.controller.ControllerChild;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.pki.CertificateAuthority;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two controller processes, each with its own data directory holding the operator's CA, started at the same
 * moment on one empty PostgreSQL database: they agree on the default subscription and the admin token, and when
 * one is killed with SIGKILL the other keeps serving, and the killed one comes back with the same identity.
 */
@Tag("external")
class ClusterProcessesTest {
    record Child(Process process, String baseUrl, String sub) {}

    @Test
    void twoProcessesOnOneDatabase_shareOneIdentity_andSurviveTheOthersDeath() throws Exception {
        Path root = Files.createTempDirectory("nwcluster");
        List<Child> children = new ArrayList<>();
        try (TestDatabase pg = TestDatabase.create(Dialect.POSTGRESQL)) {
            Path ca = root.resolve("ca");
            CertificateAuthority.loadOrCreate(ca, "cluster test CA", Clock.systemUTC());
            List<Path> dirs = List.of(root.resolve("nw1"), root.resolve("nw2"));
            for (Path dir : dirs) ClusterDirectory.prepare(dir, ca, pg, Map.of("publicUrl", "https://localhost:8443"));

            List<CompletableFuture<Child>> starts = dirs.stream().map(d -> CompletableFuture.supplyAsync(() -> start(d))).toList();
            for (CompletableFuture<Child> s : starts) children.add(s.join());
            assertEquals(children.get(0).sub(), children.get(1).sub(), "one default subscription");

            Path holder = dirs.stream().filter(d -> Files.exists(d.resolve("admin.token"))).findFirst().orElseThrow();
            assertEquals(1, dirs.stream().filter(d -> Files.exists(d.resolve("admin.token"))).count(), "one token file: the winner's");
            List<TestController> clients = new ArrayList<>();
            for (Child c : children) clients.add(new TestController(holder, c.baseUrl(), c.sub()));
            for (TestController client : clients) {
                var subs = client.send("GET", "/subscriptions?api-version=2022-12-01", null);
                assertEquals(200, subs.status(), subs.body());
                assertEquals(1, subs.json().path("value").size(), subs.body());
            }

            children.get(0).process().destroyForcibly(); // SIGKILL: no shutdown hook
            assertTrue(children.get(0).process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(200, clients.get(1).send("GET", "/readyz", null, null).status());
            assertEquals(200, clients.get(1).send("GET", "/subscriptions?api-version=2022-12-01", null).status());

            Child again = start(dirs.get(0));
            children.set(0, again);
            assertEquals(children.get(1).sub(), again.sub(), "a restart keeps the default subscription");
            assertEquals(200, new TestController(holder, again.baseUrl(), again.sub())
                    .send("GET", "/subscriptions?api-version=2022-12-01", null).status());
        } finally {
            for (Child c : children) c.process().destroyForcibly().waitFor();
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Child start(Path dir) {
        ControllerChild.Started s = ControllerChild.start(dir, List.of(), System.getProperty("java.class.path"), null);
        return new Child(s.process(), s.baseUrl(), s.subscription());
    }
}
