package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ring captures on a lab host by its real agent, ordered through the controller's ARM API with api-version
 * 2025-05-01: each file reaches the local storage account as soon as it is closed (while the capture still runs),
 * queryStatus lists the files, the host keeps the ring's size, and the stored files together hold every numbered
 * datagram that was sent, each once.
 */
@Tag("netns")
class LabRingCaptureTest {
    static final String DB = "198.18.3.10";
    static final int PORT = 5099;
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        scratch = world.scratch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close(); // the scratch directory too
    }

    /**
     * Sends datagrams "seq-FROM-000..." .. "seq-TO-000..." (about 200 bytes each) from app to db, {@code burst} at a
     * time with {@code pauseSeconds} between bursts (a ring of small files needs its uploads to keep up).
     */
    void send(int from, int to, int burst, String pauseSeconds) {
        world.bash("app", "pad=$(printf '%0180d' 0); for i in $(seq " + from + " " + to + "); do echo \"seq-$i-$pad\" > /dev/udp/"
                + DB + "/" + PORT + "; [ $((i % " + burst + ")) = 0 ] && sleep " + pauseSeconds + "; done; true");
    }

    static List<String> payloads(Path file) throws Exception {
        List<String> rows = LabWorld.datagrams(file, PORT, "data.data");
        List<String> out = new ArrayList<>();
        for (String hex : rows) out.add(new String(HexFormat.of().parseHex(hex.strip())).replaceFirst("-0+\\n?$", ""));
        return out;
    }

    static List<JsonNode> files(JsonNode status) {
        List<JsonNode> out = new ArrayList<>();
        status.path("ring").path("files").forEach(out::add);
        return out;
    }

    @Test
    void ring_toTheLocalAccount_uploadsEachFileWhenItCloses_andKeepsTheRingOnTheHost() throws Exception {
        String name = "ringlocal";
        world.createCapture(name, "db", """
                {"continuousCapture":true,"captureSettings":{"fileCount":3,"fileSizeInBytes":8192,"sessionTimeLimitInSeconds":600},
                 "storageLocation":{"storageId":"%s","localPath":"/var/captures/ringlocal.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}""".formatted(world.localAccountId(), PORT));
        world.awaitRunning(name);
        int sent = 400; // ~ 90 KB of records: some 11 files of 8 KiB, one closed every 0.4 s or so
        send(1, sent, 20, "0.2");
        // the files closed so far are in the storage account while the capture still runs
        JsonNode running = world.awaitStatus(name, s -> files(s).stream().filter(f -> f.path("uploaded").asBoolean()).count() >= 5,
                Duration.ofSeconds(60), "five ring files uploaded");
        assertEquals("Running", running.path("packetCaptureStatus").asText(), running.toString());
        assertTrue(running.path("ring").path("filesWritten").asLong() >= 6, running.toString());

        world.stopCapture(name);
        JsonNode end = world.awaitFinal(name, Duration.ofSeconds(60));
        assertEquals("Stopped", end.path("packetCaptureStatus").asText(), end.toString());
        assertEquals("done", end.path("uploadState").asText(), end.toString());
        JsonNode ring = end.path("ring");
        assertEquals(0, ring.path("filesLost").asLong(), "uploads kept up: " + ring);
        assertTrue(ring.path("coveredFrom").isTextual() && ring.path("coveredTo").isTextual(), ring.toString());

        // the host keeps the ring: at most fileCount files (+ one whose upload was still running)
        try (Stream<Path> s = Files.list(world.hostFile("db", ""))) {
            long onHost = s.filter(p -> p.getFileName().toString().startsWith("ringlocal_")).count();
            assertTrue(onHost >= 1 && onHost <= 4, "files on the host: " + onHost);
        }
        Set<String> seen = new HashSet<>();
        long packets = 0;
        List<JsonNode> listed = files(end);
        assertEquals(ring.path("filesWritten").asLong(), listed.size(), ring.toString());
        for (int i = 0; i < listed.size(); i++) {
            JsonNode f = listed.get(i);
            assertEquals(i + 1, f.path("index").asLong());
            assertTrue(f.path("name").asText().matches("ringlocal_\\d{6}_\\d{8}T\\d{6}\\.\\d{3}Z\\.cap"), f.toString());
            assertTrue(f.path("uploaded").asBoolean(), f.toString());
            assertFalse(f.path("open").asBoolean(), f.toString());
            LabWorld.Reply got = world.send("GET", f.path("storagePath").asText(), null);
            assertEquals(200, got.status(), f.toString());
            assertEquals(f.path("bytes").asLong(), got.response().body().length, f.toString());
            Path copy = scratch.resolve(f.path("name").asText());
            Files.write(copy, got.response().body());
            List<String> in = payloads(copy); // tshark reads every stored file
            assertEquals(f.path("packets").asLong(), in.size(), f.toString());
            for (String p : in) assertTrue(seen.add(p), "datagram " + p + " twice");
            packets += in.size();
        }
        for (int i = 1; i <= sent; i++) assertTrue(seen.contains("seq-" + i), "datagram " + i + " is in a stored file");
        assertEquals(end.path("packetsCaptured").asLong(), packets);
    }

    @Test
    void fileSet_notContinuous_endsSizeExceededWhenItsFilesAreFull_andKeepsThemAll() throws Exception {
        String name = "ringset";
        world.createCapture(name, "db", """
                {"continuousCapture":false,"captureSettings":{"fileCount":2,"fileSizeInBytes":8192},
                 "storageLocation":{"localPath":"/var/captures/ringset.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}""".formatted(PORT));
        world.awaitRunning(name);
        send(1, 200, 200, "0");
        JsonNode end = world.awaitFinal(name, Duration.ofSeconds(60));
        assertEquals("Stopped", end.path("packetCaptureStatus").asText(), end.toString());
        assertEquals("SizeExceeded", end.path("stopReason").asText(), end.toString());
        List<JsonNode> listed = files(end);
        assertEquals(2, listed.size(), end.toString());
        List<Integer> all = new ArrayList<>();
        for (JsonNode f : listed) {
            assertTrue(f.path("onHost").asBoolean(), f.toString());
            assertEquals("none", f.path("uploadState").asText(), f.toString());
            Path file = world.hostFile("db", f.path("name").asText());
            assertTrue(f.path("bytes").asLong() >= 8192, f.toString());
            for (String p : payloads(file)) all.add(Integer.parseInt(p.substring("seq-".length())));
        }
        all.sort(null);
        assertTrue(all.size() >= 60, "two files of 8 KiB hold some 34 datagrams each: " + all.size());
        for (int i = 0; i < all.size(); i++) assertEquals(i + 1, all.get(i), "the first datagrams, none missing or doubled at the boundary");
    }
}
