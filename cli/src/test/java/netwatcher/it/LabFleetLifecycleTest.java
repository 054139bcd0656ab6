package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import netwatcher.lab.LabExtension;
import netwatcher.testing.azurite.AzuriteServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fleet capture's lifecycle on the default lab's scale set {@code dbss} ({@code db}, {@code db2}; real agents, a
 * real controller whose agent wait is 30 s): an instance whose agent is killed mid-capture is given up (AgentLost) and
 * the merged file holds the other's packets (tshark) and says which instance it lacks; a per-host file corrupted in the
 * storage account fails the merge, which is retried with backoff and then reported {@code MergeFailed} with its cause;
 * a ring on the scale set keeps a ring per instance, uploads each file under the instance's folder and merges what the
 * rings held at the stop, one interface block per host.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabFleetLifecycleTest {
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;
    static AzuriteServer azurite;
    static TcpForwarder azuriteFromLab;
    static final Map<String, String> ID_OF = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("nwit-fleetlife-");
        azurite = AzuriteServer.start(scratch.resolve("azurite"));
        // Azurite listens on 127.0.0.1; lab hosts reach the root namespace at the management address
        azuriteFromLab = new TcpForwarder(LAB.lab().controllerAddress(), azurite.port());
        String azuriteConnection = "DefaultEndpointsProtocol=http;AccountName=" + AzuriteServer.ACCOUNT + ";AccountKey="
                + AzuriteServer.ACCOUNT_KEY + ";BlobEndpoint=http://" + LAB.lab().controllerAddress() + ":" + azuriteFromLab.port() + "/"
                + AzuriteServer.ACCOUNT + ";";
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of("agent-wait-seconds", "30", "storage.blob.azurite", azuriteConnection));
        JsonNode instances = world.send("GET", set() + "/virtualMachines" + LabWorld.V, null).json().path("value");
        instances.forEach(i -> ID_OF.put(i.path("properties").path("osProfile").path("computerName").asText(), i.path("instanceId").asText()));
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable a = azurite; AutoCloseable f = azuriteFromLab; AutoCloseable w = world) {
            // closed in reverse order: controller, forwarder, Azurite
        } finally {
            LabWorld.deleteTree(scratch);
        }
    }

    static String set() {
        return "/subscriptions/" + world.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/dbss";
    }

    static void create(String name, String properties) throws Exception {
        String body = "{\"properties\":{\"target\":\"" + set() + "\",\"targetType\":\"AzureVMSS\"," + properties.strip().substring(1) + "}";
        LabWorld.Reply r = world.send("PUT", world.watcher() + "/packetCaptures/" + name + LabWorld.V, body);
        assertEquals(201, r.status(), r.body());
    }

    static JsonNode instance(JsonNode status, String host) {
        for (JsonNode i : status.path("instances")) if (i.path("instanceId").asText().equals(ID_OF.get(host))) return i;
        throw new AssertionError("no instance for " + host + " in " + status);
    }

    /** The file of the controller's local account that a storage URL names. */
    static Path stored(String url) throws Exception {
        String blob = url.replaceFirst(".*/storage/[^/]+/", "");
        try (Stream<Path> files = Files.walk(world.dir)) {
            return files.filter(p -> p.toString().endsWith("/" + blob)).findFirst().orElseThrow(() -> new AssertionError("not stored: " + url));
        }
    }

    static Path download(String url, String as) throws Exception {
        LabWorld.Reply r = world.send("GET", url, null);
        assertEquals(200, r.status(), r.body());
        Path file = scratch.resolve(as);
        Files.write(file, r.response().body());
        return file;
    }

    static String capinfos(Path file) throws Exception {
        Process p = new ProcessBuilder("capinfos", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** Kills the agent of {@code host} with SIGKILL (the process and everything it started): no report, no upload. */
    static void killAgent(String host) {
        LAB.lab().agentProcess(host).ifPresent(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.onExit().join();
        });
        LAB.lab().stopAgent(host); // forgets the dead process
    }

    static void sql(String ip, int times) {
        world.bash("app", "for i in $(seq " + times + "); do timeout 5 bash -c 'exec 3<>/dev/tcp/" + ip
                + "/1433; echo hi$i >&3; head -c 4 <&3 >/dev/null'; done; true");
    }

    @Test
    @Order(3)
    void agentKilledMidCapture_isGivenUp_andTheMergedFileHoldsTheOtherInstancesPackets() throws Exception {
        create("killed", """
                {"timeLimitInSeconds":300,"storageLocation":{"storageId":"%s","filePath":"/var/captures/killed.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.localAccountId()));
        world.awaitStatus("killed", st -> st.path("instances").size() == 2
                && st.path("instances").findValuesAsText("packetCaptureStatus").stream().allMatch("Running"::equals),
                Duration.ofSeconds(60), "both instances running");
        sql("198.18.3.10", 3);
        sql("198.18.3.11", 3);
        killAgent("db2");
        try {
            world.stopCapture("killed");
            JsonNode s = world.awaitStatus("killed", st -> st.path("mergedFile").path("state").asText().matches("Done|MergeFailed"),
                    Duration.ofSeconds(120), "a merged file without db2");
            assertEquals("Done", s.path("mergedFile").path("state").asText(), s.toString());
            JsonNode lost = instance(s, "db2");
            assertEquals("AgentLost", lost.path("stopReason").asText(), s.toString());
            assertEquals("Error", lost.path("packetCaptureStatus").asText());
            assertTrue(lost.path("final").asBoolean());
            assertEquals("StoppedByRequest", instance(s, "db").path("stopReason").asText());
            assertTrue(s.path("message").asText().contains("(db2): AgentLost"), s.toString());
            JsonNode merged = s.path("mergedFile");
            assertFalse(merged.path("complete").asBoolean());
            assertEquals(1, merged.path("instancesMerged").size(), merged.toString());
            assertEquals(ID_OF.get("db"), merged.path("instancesMerged").get(0).asText());
            assertEquals(1, merged.path("instancesMissing").size(), merged.toString());
            assertEquals(ID_OF.get("db2"), merged.path("instancesMissing").get(0).path("instanceId").asText());
            assertEquals("AgentLost", merged.path("instancesMissing").get(0).path("reason").asText());

            Path mergedFile = download(merged.path("storagePath").asText(), "killed.pcapng");
            Path dbFile = world.hostFile("db", "killed.cap");
            List<String> dbPackets = LabWorld.packets(dbFile, null, LabWorld.IDENTITY);
            assertTrue(dbPackets.size() >= 6, "too little traffic reached db");
            assertEquals(dbPackets, LabWorld.packets(mergedFile, null, LabWorld.IDENTITY), "the merged file holds db's packets, exactly");
            assertEquals(List.of("db/eth0"), LabWorld.packets(mergedFile, null, "frame.interface_name").stream().distinct().toList());
            String info = capinfos(mergedFile);
            assertTrue(info.contains("1 of 2 instances") && info.contains("db2"), "the section comment says what is missing: " + info);
        } finally {
            LAB.lab().startAgent("db2");
        }
    }

    @Test
    @Order(4)
    void aCorruptPerHostFile_failsTheMerge_whichIsRetried_thenReportedMergeFailed() throws Exception {
        // db2's agent stays away, so the merge waits for the agent wait: time to damage db's stored file first
        LAB.lab().stopAgent("db2");
        try {
            create("corrupt", """
                    {"timeLimitInSeconds":300,"storageLocation":{"storageId":"%s","filePath":"/var/captures/corrupt.cap"},
                     "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.localAccountId()));
            world.awaitStatus("corrupt", st -> instance(st, "db").path("packetCaptureStatus").asText().equals("Running"),
                    Duration.ofSeconds(60), "db running");
            sql("198.18.3.10", 2);
            world.stopCapture("corrupt");
            JsonNode s = world.awaitStatus("corrupt", st -> instance(st, "db").path("fileSha256").isTextual(),
                    Duration.ofSeconds(60), "db's file stored and checked");
            assertEquals("Waiting", s.path("mergedFile").path("state").asText(), s.toString());
            // a real cause: the stored per-host file is no capture file any more
            Files.writeString(stored(instance(s, "db").path("storagePath").asText()), "this is not a pcap file, it was overwritten\n");

            JsonNode retrying = world.awaitStatus("corrupt", st -> st.path("mergedFile").path("attempts").asInt() >= 2
                    || st.path("mergedFile").path("state").asText().equals("MergeFailed"), Duration.ofSeconds(90), "a retried merge");
            int before = retrying.path("mergedFile").path("attempts").asInt();
            assertTrue(before >= 2, retrying.toString());
            // a controller restart mid-way: the attempts are in the database, so the retries go on from there
            world.restartController(Duration.ofSeconds(1));
            JsonNode after = world.status("corrupt");
            assertTrue(after.path("mergedFile").path("attempts").asInt() >= before, after.toString());
            JsonNode failed = world.awaitStatus("corrupt", st -> st.path("mergedFile").path("state").asText().matches("MergeFailed|Done"),
                    Duration.ofSeconds(120), "the merge given up");
            JsonNode m = failed.path("mergedFile");
            assertEquals("MergeFailed", m.path("state").asText(), failed.toString());
            assertEquals(5, m.path("attempts").asInt());
            assertTrue(m.path("error").asText().contains("after 5 attempts"), m.toString());
            assertTrue(failed.path("message").asText().contains("mergeFailed"), failed.toString());
            assertEquals(404, world.send("GET", m.path("storagePath").asText(), null).status(), "no merged file is stored");
        } finally {
            LAB.lab().startAgent("db2");
        }
    }

    @Test
    @Order(1)
    void ringOnTheScaleSet_localAccount_eachInstanceKeepsItsRing_andTheMergeHoldsWhatTheRingsHeld() throws Exception {
        // first: both agents are fresh (the later tests stop and kill db2's, whose restart may be slow under load)
        ringFleet("fleetring", world.localAccountId(), url -> Files.readAllBytes(stored(url)), url -> download(url, "fleetring.pcapng"));
    }

    @Test
    @Order(2)
    void ringOnTheScaleSet_azureBlobAccount_eachFileIsABlobUnderTheInstancesFolder() throws Exception {
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient("network-watcher-logs");
        CheckedFunction<String, byte[]> blob = url -> container.getBlobClient(url.substring(url.indexOf("/network-watcher-logs/")
                + "/network-watcher-logs/".length())).downloadContent().toBytes();
        ringFleet("blobring", world.accountId("azurite"), blob, url -> {
            Path file = scratch.resolve("blobring.pcapng");
            Files.write(file, blob.apply(url));
            return file;
        });
    }

    @FunctionalInterface
    interface CheckedFunction<T, R> {
        R apply(T t) throws Exception;
    }

    /**
     * A ring of two 4 KiB files on both instances, UDP to each; after the stop: each instance's ring listed, every stored
     * file under the instance's folder with its size ({@code read} reads a stored file by URL), and the merged file
     * ({@code fetch} downloads it) holding the packets of each ring's newest two files, one interface block per host.
     */
    static void ringFleet(String name, String accountId, CheckedFunction<String, byte[]> read, CheckedFunction<String, Path> fetch)
            throws Exception {
        create(name, """
                {"continuousCapture":true,"captureSettings":{"fileCount":2,"fileSizeInBytes":4096,"sessionTimeLimitInSeconds":300},
                 "storageLocation":{"storageId":"%s","localPath":"/var/captures/%s.cap"},
                 "filters":[{"protocol":"UDP","localPort":"5099"}]}""".formatted(accountId, name));
        world.awaitStatus(name, st -> st.path("instances").size() == 2
                && st.path("instances").findValuesAsText("packetCaptureStatus").stream().allMatch("Running"::equals),
                Duration.ofSeconds(60), "both rings running");
        for (String ip : List.of("198.18.3.10", "198.18.3.11")) {
            world.bash("app", "for i in $(seq 40); do head -c 400 /dev/zero | tr '\\0' x > /dev/udp/" + ip + "/5099; sleep 0.02; done");
        }
        Thread.sleep(1500);
        world.stopCapture(name);
        JsonNode s = world.awaitStatus(name, st -> st.path("mergedFile").path("state").asText().matches("Done|MergeFailed"),
                Duration.ofSeconds(120), "the rings' merged file");
        assertEquals("Done", s.path("mergedFile").path("state").asText(), s.toString());
        assertTrue(s.path("mergedFile").path("complete").asBoolean(), s.toString());
        long expected = 0;
        for (String host : List.of("db", "db2")) {
            JsonNode ring = instance(s, host).path("ring");
            List<JsonNode> stored = new ArrayList<>();
            ring.path("files").forEach(f -> {
                if (f.path("uploaded").asBoolean() && !f.path("lost").asBoolean()) stored.add(f);
            });
            assertTrue(stored.size() >= 3, host + " rolled over several files: " + ring);
            for (JsonNode f : stored) {
                String url = f.path("storagePath").asText();
                assertTrue(url.contains("/" + ID_OF.get(host) + "_" + host + "/"), "under the instance's folder: " + url);
                assertEquals(f.path("bytes").asLong(), read.apply(url).length, url);
            }
            // the merge holds what the ring held at the stop: its newest fileCount stored files
            for (JsonNode f : stored.subList(stored.size() - 2, stored.size())) expected += f.path("packets").asLong();
        }
        Path mergedFile = fetch.apply(s.path("mergedFile").path("storagePath").asText());
        assertEquals(expected, LabWorld.packets(mergedFile, null, "frame.number").size());
        assertEquals(List.of("db/eth0", "db2/eth0"), LabWorld.packets(mergedFile, null, "frame.interface_name").stream().distinct()
                .sorted().toList(), "one interface block per host, however many ring files");
    }
}
