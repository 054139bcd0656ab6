package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reading a capture's status is free for the database: 10,000 queryStatus calls over HTTPS (what a
 * client polling once a second for three hours sends) grow the embedded H2 file by less than 1 MB,
 * and each answers 200 with the status at once (no operation is handed out, none is stored).
 */
@Tag("e2e")
class QueryStatusFootprintTest {
    static final String V = "?api-version=2025-05-01";
    static final int CALLS = 10_000;

    @Test
    void tenThousandQueryStatusCalls_growTheDatabaseByLessThanOneMegabyte() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent agent = new TestAgent(c, "lab", "vm1", "westeurope");
            String pc = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/"
                    + "NetworkWatcher_westeurope/packetCaptures/pc1";
            var put = c.send("PUT", pc + V, """
                    {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/pc1.cap"}}}""".formatted(agent.vmId));
            assertEquals(201, put.status(), put.body());
            Path file = c.dir.resolve("state").resolve("netwatcher.mv.db");
            // warm up (first-use allocations of the store), then measure
            for (int i = 0; i < 50; i++) assertEquals(200, c.send("POST", pc + "/queryStatus" + V, null).status());
            long before = Files.size(file);

            TestController.Reply last = null;
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<TestController.Reply>> calls = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    calls.add(pool.submit(() -> {
                        TestController.Reply reply = null;
                        for (int i = 0; i < CALLS / 4; i++) {
                            reply = c.send("POST", pc + "/queryStatus" + V, null);
                            if (reply.status() != 200) throw new AssertionError(reply.status() + " " + reply.body());
                            if (reply.header("Location") != null) throw new AssertionError("queryStatus handed out an operation");
                        }
                        return reply;
                    }));
                }
                for (Future<TestController.Reply> f : calls) last = f.get();
            }
            long growth = Files.size(file) - before;
            assertTrue(growth < 1_000_000, "10,000 queryStatus calls grew the database by " + growth + " bytes");

            var answer = last;
            assertEquals("pc1", answer.json().path("name").asText());
            assertTrue(answer.json().has("packetCaptureStatus"), answer.body());
        }
    }
}
