package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import netwatcher.lab.LabExtension;
import netwatcher.testing.azurite.AzuriteServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Snapshots of running ring captures end to end: a lab host's real agent and ring, ordered through the real controller's
 * ARM API ({@code POST .../snapshot}, a long-running operation). Numbered datagrams flow while the ring rolls; a
 * snapshot of the last N seconds holds exactly the datagrams whose capture times lie in its window (read with tshark,
 * checked against every file the ring stored), the capture keeps running and rolling, and the file is in the storage
 * account: the controller's local account, and Azure Blob (Azurite).
 */
@Tag("netns")
class LabSnapshotTest {
    static final String DB = "198.18.3.10";
    static final int PORT = 5098;
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;
    static AzuriteServer azurite;
    static TcpForwarder azuriteFromLab;

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("nwit-snapshot-");
        azurite = AzuriteServer.start(scratch.resolve("azurite"));
        // Azurite listens on 127.0.0.1; lab hosts reach the root namespace at the management address
        azuriteFromLab = new TcpForwarder(LAB.lab().controllerAddress(), azurite.port());
        String connection = "DefaultEndpointsProtocol=http;AccountName=" + AzuriteServer.ACCOUNT + ";AccountKey=" + AzuriteServer.ACCOUNT_KEY
                + ";BlobEndpoint=http://" + LAB.lab().controllerAddress() + ":" + azuriteFromLab.port() + "/" + AzuriteServer.ACCOUNT + ";";
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of("storage.blob.azurite", connection));
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable a = azurite; AutoCloseable f = azuriteFromLab; AutoCloseable w = world) {
            // closed in reverse order: controller, forwarder, Azurite
        } finally {
            LabWorld.deleteTree(scratch);
        }
    }

    String capture(String name) {
        return world.watcher() + "/packetCaptures/" + name;
    }

    /** Sends "snap-FROM" .. "snap-TO" from app to db's {@code port}, one every 50 ms, in the background. */
    CompletableFuture<Void> sendSlowly(int from, int to, int port) {
        return CompletableFuture.runAsync(() -> world.bash("app", "for i in $(seq " + from + " " + to + "); do echo \"snap-$i-"
                + "0".repeat(120) + "\" > /dev/udp/" + DB + "/" + port + "; sleep 0.05; done; true"));
    }

    /** Capture time (seconds since the epoch, as tshark prints it) → datagram number, for every datagram to {@code port} in {@code file}. */
    static TreeMap<BigDecimal, Integer> datagrams(Path file, int port) throws Exception {
        TreeMap<BigDecimal, Integer> out = new TreeMap<>();
        for (String row : LabWorld.datagrams(file, port, "frame.time_epoch", "data.data")) {
            String[] f = row.split(",", 2);
            String text = new String(HexFormat.of().parseHex(f[1].strip()));
            int n = Integer.parseInt(text.substring("snap-".length(), text.indexOf('-', "snap-".length())));
            out.put(new BigDecimal(f[0]), n);
        }
        return out;
    }

    static BigDecimal epoch(Instant t) {
        return new BigDecimal(t.getEpochSecond()).add(new BigDecimal(t.getNano()).movePointLeft(9));
    }

    /** POSTs a snapshot and follows its operation to the end; returns the snapshot (the operation's result). */
    JsonNode snapshot(String name, String body) throws Exception {
        LabWorld.Reply r = world.send("POST", capture(name) + "/snapshot" + LabWorld.V, body);
        if (r.status() == 200) return r.json();
        assertEquals(202, r.status(), r.body());
        assertNotNull(r.header("Location"), "202 carries Location");
        assertNotNull(r.header("Azure-AsyncOperation"), "202 carries Azure-AsyncOperation");
        assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, r.header("Retry-After"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            LabWorld.Reply poll = world.send("GET", r.header("Location"), null);
            if (poll.status() == 200) return poll.json();
            assertEquals(202, poll.status(), poll.body());
            Thread.sleep(100);
        }
        throw new AssertionError("snapshot of " + name + " did not finish within 60 s");
    }

    /** Every datagram the ring stored (all its files, read back from the local account). */
    TreeMap<BigDecimal, Integer> storedRing(JsonNode status, String name) throws Exception {
        TreeMap<BigDecimal, Integer> all = new TreeMap<>();
        for (JsonNode f : status.path("ring").path("files")) {
            assertTrue(f.path("uploaded").asBoolean(), f.toString());
            LabWorld.Reply got = world.send("GET", f.path("storagePath").asText(), null);
            assertEquals(200, got.status(), f.toString());
            Path copy = scratch.resolve(name + "-" + f.path("name").asText());
            Files.write(copy, got.response().body());
            all.putAll(datagrams(copy, PORT));
        }
        return all;
    }

    @Test
    void lastSeconds_ofARollingRing_holdsExactlyTheWindowsDatagrams_inTheLocalAccount_andTheCaptureKeepsRolling() throws Exception {
        String name = "snaplocal";
        world.createCapture(name, "db", """
                {"continuousCapture":true,"captureSettings":{"fileCount":8,"fileSizeInBytes":4096,"sessionTimeLimitInSeconds":600},
                 "storageLocation":{"storageId":"%s","localPath":"/var/captures/snaplocal.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}""".formatted(world.localAccountId(), PORT));
        world.awaitRunning(name);
        CompletableFuture<Void> sending = sendSlowly(1, 160, PORT); // ~8 s, some 20 files of 4 KiB
        world.awaitStatus(name, s -> s.path("ring").path("filesWritten").asLong() >= 4, Duration.ofSeconds(60), "four files");

        JsonNode snap = snapshot(name, "{\"lastSeconds\": 2}");
        assertEquals("Succeeded", snap.path("state").asText(), snap.toString());
        assertEquals(2, snap.path("lastSeconds").asLong(), snap.toString());
        Instant from = Instant.parse(snap.path("from").asText());
        Instant to = Instant.parse(snap.path("to").asText());
        assertEquals(Duration.ofSeconds(2), Duration.between(from, to));
        String storagePath = snap.path("storagePath").asText();
        assertTrue(storagePath.endsWith("/snapshots/" + snap.path("id").asText() + ".cap"), storagePath);
        long writtenAtSnapshot = world.status(name).path("ring").path("filesWritten").asLong();

        LabWorld.Reply file = world.send("GET", storagePath, null);
        assertEquals(200, file.status(), storagePath);
        assertEquals(snap.path("bytes").asLong(), file.response().body().length);
        Path copy = scratch.resolve("snaplocal-snapshot.cap");
        Files.write(copy, file.response().body());
        TreeMap<BigDecimal, Integer> inSnapshot = datagrams(copy, PORT);
        assertEquals(snap.path("packets").asLong(), inSnapshot.size(), snap.toString());
        assertTrue(inSnapshot.size() >= 1, "datagrams flowed throughout the window: " + inSnapshot.size());

        // the capture keeps running and its ring keeps rolling
        sending.get();
        JsonNode after = world.awaitStatus(name, s -> s.path("ring").path("filesWritten").asLong() > writtenAtSnapshot + 2,
                Duration.ofSeconds(30), "more files after the snapshot");
        assertEquals("Running", after.path("packetCaptureStatus").asText(), after.toString());
        assertEquals(1, after.path("snapshots").size(), after.toString());
        assertEquals(snap.path("id").asText(), after.path("snapshots").get(0).path("id").asText());

        world.stopCapture(name);
        JsonNode end = world.awaitFinal(name, Duration.ofSeconds(60));
        assertEquals(0, end.path("ring").path("filesLost").asLong(), end.toString());
        // ground truth: every datagram of the ring whose capture time lies in the window, none else
        TreeMap<BigDecimal, Integer> expected = new TreeMap<>(storedRing(end, name).subMap(epoch(from), true, epoch(to), true));
        assertEquals(expected, inSnapshot);
        List<Integer> numbers = List.copyOf(inSnapshot.values());
        for (int i = 1; i < numbers.size(); i++) assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "consecutive: " + numbers);
    }

    @Test
    void fromTo_toAzureBlob_storesTheSnapshotBlob_andAWindowBeforeTheRing_isRefusedNamingWhatItCovers() throws Exception {
        String name = "snapblob";
        world.createCapture(name, "db", """
                {"continuousCapture":true,"captureSettings":{"fileCount":4,"fileSizeInBytes":65536,"sessionTimeLimitInSeconds":600},
                 "storageLocation":{"storageId":"%s","localPath":"/var/captures/snapblob.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}""".formatted(world.accountId("azurite"), PORT + 1));
        world.awaitRunning(name);
        sendSlowly(1001, 1040, PORT + 1).get(); // 2 s
        JsonNode covered = world.awaitStatus(name, s -> s.path("packetsCaptured").asLong() >= 40, Duration.ofSeconds(30), "40 packets");
        Instant first = Instant.parse(covered.path("ring").path("coveredFrom").asText());

        // a window that ends before the oldest packet: 400 naming 'to' and the span the files cover; nothing recorded
        LabWorld.Reply before = world.send("POST", capture(name) + "/snapshot" + LabWorld.V,
                "{\"from\":\"" + first.minusSeconds(100) + "\",\"to\":\"" + first.minusSeconds(50) + "\"}");
        assertEquals(400, before.status(), before.body());
        assertEquals("InvalidParameter", before.json().path("error").path("code").asText(), before.body());
        assertEquals("to", before.json().path("error").path("target").asText(), before.body());
        assertTrue(before.body().contains("cover"), before.body());
        assertTrue(world.status(name).path("snapshots").isMissingNode(), "a refused snapshot leaves no trace");

        // from the first packet to now: every datagram sent (coveredTo lags: it is the last packet flushed by the report)
        JsonNode snap = snapshot(name, "{\"from\":\"" + first + "\",\"to\":\"" + Instant.now() + "\"}");
        assertEquals("Succeeded", snap.path("state").asText(), snap.toString());
        assertEquals(40, snap.path("packets").asLong(), snap.toString());
        String storagePath = snap.path("storagePath").asText();
        String blobName = storagePath.substring(storagePath.indexOf("/network-watcher-logs/") + "/network-watcher-logs/".length());
        assertTrue(blobName.endsWith("/snapshots/" + snap.path("id").asText() + ".cap"), blobName);
        var blob = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder().build()).buildClient()
                .getBlobContainerClient("network-watcher-logs").getBlobClient(blobName);
        Path copy = scratch.resolve("snapblob-snapshot.cap");
        Files.write(copy, blob.downloadContent().toBytes());
        TreeMap<BigDecimal, Integer> in = datagrams(copy, PORT + 1);
        assertEquals(40, in.size());
        assertEquals(1001, in.firstEntry().getValue());
        assertEquals(1040, in.lastEntry().getValue());
        assertEquals("Running", world.status(name).path("packetCaptureStatus").asText());
        world.stopCapture(name);
    }
}
