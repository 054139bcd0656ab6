package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.Controller;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nw watcher packet-capture download --merged} when the scale-set capture's merged file was given up
 * ({@code mergedFile.state: MergeFailed}): against a real controller whose only instance stored a file that is no capture
 * file (so every merge attempt fails; a {@link MutableClock} skips the back-off), the command exits 6 with the cause and
 * each instance's own file to fetch instead, not a bare 404 or a stack trace.
 */
@Tag("e2e")
@Timeout(150)
class MergedDownloadTest {
    @TempDir
    Path tmp;

    @Test
    void downloadMerged_whenMergeFailed_saysWhyAndWhereEachInstancesFileIs_andExits6() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestController c = new TestController(Duration.ofHours(1), Map.of(), clock)) {
            TestAgent web0 = new TestAgent(c, "lab", "web0", "westeurope", List.of("198.18.7.10/24"));
            var host = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", "web0", "Debian",
                    List.of(new NicReport("eth0", "02:00:00:00:07:00", List.of("198.18.7.10/24"), true)), List.of("capture"),
                    List.of(), List.of(), "webss")), web0.bearer());
            assertEquals(200, host.status(), host.body());
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            String set = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/webss";
            String account = "/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                    + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT;
            var put = c.send("PUT", nw + "/packetCaptures/badmerge?api-version=2024-05-01", """
                    {"properties":{"target":"%s","targetType":"AzureVMSS","timeLimitInSeconds":600,
                     "storageLocation":{"storageId":"%s"}}}""".formatted(set, account));
            assertEquals(201, put.status(), put.body());

            // the instance ends and stores 64 bytes that are no capture file: every merge attempt fails on them
            CaptureOrder o = web0.orders(-1, 0).captures().stream().filter(x -> x.captureId().endsWith("/instances/0")).findFirst().orElseThrow();
            byte[] junk = "this is not a pcap file, so the merge cannot read it...........".getBytes(StandardCharsets.US_ASCII);
            var upload = c.http.send(HttpRequest.newBuilder(URI.create(c.url("/agent/v1/captures/" + o.key() + "/file")))
                    .header("Authorization", web0.bearer()).header("Content-Range", "bytes 0-" + (junk.length - 1) + "/" + junk.length)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(junk)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(upload.statusCode() < 300, upload.body());
            Instant now = clock.instant();
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(junk));
            var report = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(new CaptureReport(o.key(), CaptureStatus.Stopped,
                    StopReason.TimeExceeded, List.of(), null, now.minusSeconds(5), now, 3, junk.length, 0, 0, 3, null, null, "/var/captures/x.cap",
                    UploadState.DONE, junk.length, sha, null)))), web0.bearer());
            assertEquals(204, report.status(), report.body());

            JsonNode merged = null;
            for (int i = 0; i < 600; i++) {
                merged = c.send("GET", nw + "/packetCaptures/badmerge?api-version=2024-05-01", null).json().path("properties").path("mergedFile");
                if (merged.path("state").asText().equals("MergeFailed")) break;
                clock.advance(Duration.ofSeconds(20)); // past each back-off; the controller's sweeper starts the next attempt
                Thread.sleep(200);
            }
            assertEquals("MergeFailed", merged.path("state").asText(), String.valueOf(merged));

            Path config = tmp.resolve("config.json");
            CliLogin.login(config, c);
            Path target = tmp.resolve("merged.pcapng");
            Cli.Run r = Cli.withConfig(config, "watcher", "packet-capture", "download", "-n", "badmerge", "--merged", "-f", target.toString());
            assertEquals(ExitCodes.OPERATION_FAILED, r.exit(), r.toString());
            assertTrue(r.err().contains("MergeFailed"), r.err());
            assertTrue(r.err().contains("the merged file of capture badmerge was given up after 5 attempt(s)"), r.err());
            assertTrue(r.err().contains(merged.path("error").asText()), "the cause, as the controller recorded it: " + r.err());
            assertTrue(r.err().contains("instance 0: https://") && r.err().contains("/0_web0.cap"), "the instance's own file: " + r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
            assertFalse(Files.exists(target), "nothing written");
        }
    }
}
