package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import netwatcher.lab.LabExtension;
import netwatcher.testing.azurite.AzuriteServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What captures survive on real lab hosts: {@code kill -9} of the agent, the controller being down,
 * and the blob storage account (Azurite, configured in controller.properties) being down while an
 * upload is due.
 */
@Tag("netns")
class LabResilienceTest {
    static final String DB = "198.18.3.10";
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static Path scratch;
    static AzuriteServer azurite;
    static TcpForwarder azuriteFromLab;
    static LabWorld world;
    static String azuriteConnection;

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("nwit-resilience-");
        azurite = AzuriteServer.start(scratch.resolve("azurite"));
        // Azurite listens on 127.0.0.1; lab hosts reach the root namespace at the management address
        // ... slowed to 512 KiB/s towards Azurite, so that an upload of a few MiB can be cut half-way
        azuriteFromLab = new TcpForwarder(LAB.lab().controllerAddress(), azurite.port(), 512 * 1024);
        azuriteConnection = "DefaultEndpointsProtocol=http;AccountName=" + AzuriteServer.ACCOUNT + ";AccountKey=" + AzuriteServer.ACCOUNT_KEY
                + ";BlobEndpoint=http://" + LAB.lab().controllerAddress() + ":" + azuriteFromLab.port() + "/" + AzuriteServer.ACCOUNT + ";";
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of("storage.blob.azurite", azuriteConnection),
                java.util.List.of("--upload-chunk-size", "64KiB"));
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable a = azurite; AutoCloseable f = azuriteFromLab; AutoCloseable w = world) {
            // closed in reverse order: controller, forwarder, Azurite
        } finally {
            LabWorld.deleteTree(scratch);
        }
    }

    static void tcpExchanges(String from, int count) {
        world.bash(from, "for i in $(seq " + count + "); do timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB
                + "/1433; echo hello >&3; head -c 6 <&3 >/dev/null'; done; true");
    }

    @Test
    void killDashNineOfTheAgent_leavesAReadableFile_andTheRestartedAgentReportsAgentLost() throws Exception {
        world.createCapture("killed", "db", """
                {"timeLimitInSeconds":300,"storageLocation":{"storageId":"%s","filePath":"/var/captures/killed.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.localAccountId()));
        world.awaitRunning("killed");
        tcpExchanges("app", 5);
        world.awaitStatus("killed", s -> s.path("packetsCaptured").asInt() >= 30, Duration.ofSeconds(30), "30 packets");
        Thread.sleep(1500); // past the flush interval (1 s): what a kill -9 may lose is the last unflushed batch at most

        ProcessHandle wrapper = LAB.lab().agentProcess("db").orElseThrow();
        ProcessHandle java = Stream.concat(Stream.of(wrapper), wrapper.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst().orElseThrow();
        assertTrue(java.destroyForcibly()); // SIGKILL
        java.onExit().get();
        Path file = world.hostFile("db", "killed.cap");
        int packetsAfterKill = LabWorld.packets(file, "tcp.port==1433", "frame.number").size();
        assertTrue(packetsAfterKill >= 30, "the killed agent's file holds " + packetsAfterKill + " packets");

        LAB.lab().startAgent("db");
        JsonNode s = world.awaitFinal("killed", Duration.ofSeconds(90));
        assertEquals("Error", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("AgentLost", s.path("stopReason").asText(), s.toString());
        assertEquals("AgentStopped", s.path("packetCaptureError").get(0).asText(), s.toString());
        int inFile = LabWorld.packets(file, null, "frame.number").size();
        assertEquals(inFile, s.path("packetsCaptured").asInt(), s.toString());
        assertEquals("done", s.path("uploadState").asText(), s.toString());
        String storagePath = world.send("GET", world.watcher() + "/packetCaptures/killed" + LabWorld.V, null).json()
                .path("properties").path("storageLocation").path("storagePath").asText();
        assertArrayEquals(Files.readAllBytes(file), world.send("GET", storagePath, null).response().body());
    }

    @Test
    void controllerDown_captureKeepsRunningAndEnds_andTheOutcomeArrivesWhenItIsBack() throws Exception {
        world.createCapture("offline", "db", """
                {"timeLimitInSeconds":6,"storageLocation":{"storageId":"%s","filePath":"/var/captures/offline.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.localAccountId()));
        world.awaitRunning("offline");
        world.stopController();
        try {
            tcpExchanges("app", 4); // while nobody listens: only the agent sees this
            Thread.sleep(6000); // the time limit passes while the controller is down
        } finally {
            world.startController();
        }
        JsonNode s = world.awaitFinal("offline", Duration.ofSeconds(120));
        assertEquals("Stopped", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("TimeExceeded", s.path("stopReason").asText(), s.toString());
        Path file = world.hostFile("db", "offline.cap");
        int packets = LabWorld.packets(file, "tcp.port==1433", "frame.number").size();
        assertTrue(packets >= 24, "4 exchanges during the outage, " + packets + " packets in the file");
        assertEquals(packets, s.path("packetsCaptured").asInt(), s.toString());
        assertEquals("done", s.path("uploadState").asText(), s.toString());
        String storagePath = world.send("GET", world.watcher() + "/packetCaptures/offline" + LabWorld.V, null).json()
                .path("properties").path("storageLocation").path("storagePath").asText();
        assertArrayEquals(Files.readAllBytes(file), world.send("GET", storagePath, null).response().body());
    }

    @Test
    void azuriteStoppedDuringAnUpload_thenStarted_theBlobArrivesWhole() throws Exception {
        world.createCapture("toblob", "db", """
                {"timeLimitInSeconds":300,"storageLocation":{"storageId":"%s","filePath":"/var/captures/toblob.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.accountId("azurite")));
        world.awaitRunning("toblob");
        // 2 MB to db's echo service and back: a file of some 4 MiB, 64 KiB blocks, at 512 KiB/s
        world.bash("app", "timeout 40 bash -c 'exec 3<>/dev/tcp/" + DB + "/1433; (head -c 2000000 /dev/zero >&3) & head -c 2000000 <&3 >/dev/null'; true");
        world.stopCapture("toblob");
        JsonNode midway = world.awaitStatus("toblob", st -> st.path("uploadState").asText().equals("uploading")
                        && st.path("uploadedBytes").asLong() > 0 && st.path("uploadedBytes").asLong() < st.path("bytesWritten").asLong(),
                Duration.ofSeconds(60), "an upload under way");
        azurite.stop();
        JsonNode during;
        try {
            Thread.sleep(4000); // block uploads fail meanwhile
            during = world.status("toblob");
        } finally {
            azurite.start();
        }
        assertNotEquals("done", during.path("uploadState").asText(), "uploaded while Azurite was down? " + during);
        JsonNode s = world.awaitFinal("toblob", Duration.ofSeconds(180));
        assertEquals("done", s.path("uploadState").asText(), s.toString());
        assertEquals("StoppedByRequest", s.path("stopReason").asText(), s.toString());
        assertTrue(s.path("bytesWritten").asLong() > 3_000_000, s.toString());
        assertTrue(midway.path("uploadedBytes").asLong() < s.path("bytesWritten").asLong());

        String storagePath = world.send("GET", world.watcher() + "/packetCaptures/toblob" + LabWorld.V, null).json()
                .path("properties").path("storageLocation").path("storagePath").asText();
        String blobName = storagePath.substring(storagePath.indexOf("/network-watcher-logs/") + "/network-watcher-logs/".length());
        var blob = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder().build()).buildClient()
                .getBlobContainerClient("network-watcher-logs").getBlobClient(blobName);
        byte[] inBlob = blob.downloadContent().toBytes();
        byte[] onHost = Files.readAllBytes(world.hostFile("db", "toblob.cap"));
        assertArrayEquals(onHost, inBlob);
    }
}
