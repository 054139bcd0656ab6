package netwatcher.cli.client;

import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.agent.upload.LocalUploader;
import netwatcher.agent.upload.UploadService;
import netwatcher.arm.Json;
import netwatcher.controller.Controller;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.Reports;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's real uploader against the real controller: the file lands in the local account byte
 * for byte, the SHA-256 the agent computed while uploading is the one the controller reads back, and
 * only then does the capture show {@code uploadState: done}.
 */
@Tag("e2e")
class AgentUploadToControllerTest {
    static final String V = "?api-version=2025-05-01";
    @TempDir Path tmp;

    @Test
    void realUpload_isCheckedByTheControllerAndShowsTheFilesHash() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent agent = new TestAgent(c, "lab", "vm1", "westeurope");
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/"
                    + "NetworkWatcher_westeurope";
            String account = "/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                    + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT;
            var put = c.send("PUT", nw + "/packetCaptures/up1" + V, """
                    {"properties":{"target":"%s","storageLocation":{"storageId":"%s"}}}""".formatted(agent.vmId, account));
            assertEquals(201, put.status(), put.body());
            CaptureOrder order = agent.orders(-1, 0).captures().getFirst();

            byte[] data = new byte[700_000];
            new Random(11).nextBytes(data);
            Path file = tmp.resolve("up1.cap");
            Files.write(file, data);
            LocalUploader uploader = new LocalUploader(c.http, uri -> HttpRequest.newBuilder(uri)
                    .header(ProtocolVersion.HEADER, Integer.toString(ProtocolVersion.CURRENT))
                    .header("Authorization", agent.bearer()), 256 * 1024);
            CompletableFuture<String> sha = new CompletableFuture<>();
            try (UploadService uploads = new UploadService(Map.of("local", uploader), Duration.ofSeconds(30), Duration.ofMillis(100),
                    Duration.ofSeconds(1), InstantSource.system())) {
                uploads.submit(order.key(), file, order.upload(), new UploadService.Listener() {
                    @Override public void progress(long uploadedBytes) { }
                    @Override public void done(long uploadedBytes, String sha256) { sha.complete(sha256); }
                    @Override public void failed(String message, long uploadedBytes) { sha.completeExceptionally(new AssertionError(message)); }
                });
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), sha.get(60, TimeUnit.SECONDS));
            }

            Instant now = Instant.now();
            CaptureReport done = new CaptureReport(order.key(), CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(), null, now.minusSeconds(5), now,
                    10, data.length, 0, 0, 10, null, null, file.toString(), UploadState.DONE, data.length, sha.get(), null);
            assertEquals(204, c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(done))), agent.bearer()).status());

            JsonNode status = null;
            for (int i = 0; i < 100; i++) {
                var q = c.send("POST", nw + "/packetCaptures/up1/queryStatus" + V, null);
                status = q.json();
                if (!"verifying".equals(status.path("uploadState").asText())) break;
                Thread.sleep(100);
            }
            assertEquals("done", status.path("uploadState").asText(), status.toString());
            assertEquals(sha.get(), status.path("fileSha256").asText());

            String storagePath = c.send("GET", nw + "/packetCaptures/up1" + V, null).json()
                    .path("properties").path("storageLocation").path("storagePath").asText();
            var download = c.http.send(HttpRequest.newBuilder(java.net.URI.create(storagePath))
                    .header("Authorization", "Bearer " + c.token).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertArrayEquals(data, download.body());
        }
    }
}
