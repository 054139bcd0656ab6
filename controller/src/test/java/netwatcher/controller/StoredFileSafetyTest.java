package netwatcher.controller;

import static netwatcher.controller.testsupport.OneAgentWatcher.V;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import netwatcher.arm.Json;
import netwatcher.controller.testsupport.OneAgentWatcher;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A capture's stored file is its own and intact, over real HTTPS with an agent on the real protocol:
 * one capture per storagePath, upload "done" only after the controller checked the stored bytes,
 * bounded database growth, private file modes.
 */
@Tag("e2e")
class StoredFileSafetyTest {
    @RegisterExtension
    static final OneAgentWatcher env = new OneAgentWatcher(Duration.ofSeconds(30), "vm1");
    static TestController c;
    static TestAgent agent;
    static String nw;
    static String account;

    @BeforeAll
    static void bind() {
        c = env.controller();
        agent = env.agent();
        nw = env.watcher();
        account = "/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT;
    }

    static String body(String storagePath) {
        return """
                {"properties":{"target":"%s","timeLimitInSeconds":60,
                 "storageLocation":{"storageId":"%s"%s}}}""".formatted(agent.vmId, account,
                storagePath == null ? "" : ",\"storagePath\":\"" + storagePath + "\"");
    }

    static String blobUrl(String blob) {
        return c.url("/storage/" + Controller.LOCAL_ACCOUNT + "/network-watcher-logs/" + blob);
    }

    static CaptureOrder order(String name) throws Exception {
        return agent.orders(-1, 0).captures().stream().filter(o -> o.captureId().endsWith("/" + name)).findFirst().orElseThrow();
    }

    static int putFile(CaptureOrder o, byte[] data) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(c.url("/agent/v1/captures/" + o.key() + "/file")))
                .header("Authorization", agent.bearer())
                .header("Content-Range", "bytes 0-" + (data.length - 1) + "/" + data.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build();
        return c.http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static void reportDone(CaptureOrder o, long bytes, String sha) throws Exception {
        Instant now = Instant.now();
        CaptureReport r = new CaptureReport(o.key(), CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(), null, now.minusSeconds(5), now, 3, bytes,
                0, 0, 3, null, null, "/var/captures/x.cap", UploadState.DONE, bytes, sha, null);
        var reply = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(r))), agent.bearer());
        assertEquals(204, reply.status(), reply.body());
    }

    static JsonNode status(String name) throws Exception {
        var q = c.send("POST", nw + "/packetCaptures/" + name + "/queryStatus" + V, null);
        var r = q; // queryStatus answers 200 with the status at once
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    static JsonNode awaitUploadSettled(String name) throws Exception {
        for (int i = 0; i < 200; i++) {
            JsonNode s = status(name);
            if (!"verifying".equals(s.path("uploadState").asText())) return s;
            Thread.sleep(100);
        }
        throw new AssertionError("the upload of " + name + " was never checked");
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void secondCaptureWithTheSameStoragePath_is409AndNothingIsRecorded() throws Exception {
        String path = blobUrl("dup/one.cap");
        var first = c.send("PUT", nw + "/packetCaptures/dup1" + V, body(path));
        assertEquals(201, first.status(), first.body());
        long capturesBefore = c.send("GET", nw + "/packetCaptures" + V, null).json().path("value").size();
        long generation = agent.orders(-1, 0).generation();

        var second = c.send("PUT", nw + "/packetCaptures/dup2" + V, body(path));
        assertEquals(409, second.status(), second.body());
        assertEquals("Conflict", second.errorCode());
        assertEquals("properties.storageLocation.storagePath", second.json().path("error").path("target").asText());
        assertTrue(second.json().path("error").path("message").asText().contains("network-watcher-logs/dup/one.cap"), second.body());
        assertEquals(null, second.header("Azure-AsyncOperation"));

        assertEquals(404, c.send("GET", nw + "/packetCaptures/dup2" + V, null).status());
        assertEquals(capturesBefore, c.send("GET", nw + "/packetCaptures" + V, null).json().path("value").size());
        assertEquals(generation, agent.orders(-1, 0).generation(), "the agent was given nothing new");
        // the name is free: the same name with another path is accepted
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/dup2" + V, body(blobUrl("dup/two.cap"))).status());
    }

    @Test
    void concurrentCreatesWithOneStoragePath_exactlyOneWins() throws Exception {
        String path = blobUrl("race/one.cap");
        List<java.util.concurrent.Future<Integer>> puts = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                String name = "race" + i;
                puts.add(pool.submit(() -> c.send("PUT", nw + "/packetCaptures/" + name + V, body(path)).status()));
            }
        }
        List<Integer> statuses = new java.util.ArrayList<>();
        for (var f : puts) statuses.add(f.get());
        assertEquals(1, statuses.stream().filter(x -> x == 201).count(), statuses.toString());
        assertEquals(7, statuses.stream().filter(x -> x == 409).count(), statuses.toString());
    }

    @Test
    void storagePathOfAFileThatExistsInTheAccount_is409EvenAfterItsCaptureIsDeleted() throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/old1" + V, body(blobUrl("old/file.cap")));
        assertEquals(201, put.status(), put.body());
        byte[] data = "an old capture file".getBytes();
        assertEquals(200, putFile(order("old1"), data));
        int deleted = c.send("DELETE", nw + "/packetCaptures/old1" + V, null).status();
        assertTrue(deleted == 202 || deleted == 204, "DELETE answered " + deleted);

        var again = c.send("PUT", nw + "/packetCaptures/old2" + V, body(blobUrl("old/file.cap")));
        assertEquals(409, again.status(), again.body());
        assertEquals("properties.storageLocation.storagePath", again.json().path("error").path("target").asText());
    }

    @Test
    void storagePathSpellingsThatNameAnotherObject_areRefused() throws Exception {
        for (String bad : List.of("a//b.cap", "a/./b.cap", ".hidden/b.cap", "a/b.cap?x=1", "a/%2e%2e/b.cap", "dir/")) {
            var r = c.send("PUT", nw + "/packetCaptures/bad1" + V, body(blobUrl(bad)));
            assertEquals(400, r.status(), bad + ": " + r.body());
            assertEquals("properties.storageLocation.storagePath", r.json().path("error").path("target").asText(), bad);
        }
    }

    @Test
    void upload_isDoneOnlyWhenTheStoredBytesMatchTheAgentsHash() throws Exception {
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/ok1" + V, body(null)).status());
        CaptureOrder o = order("ok1");
        byte[] data = "pcap bytes of ok1".getBytes();
        assertEquals(200, putFile(o, data));
        reportDone(o, data.length, sha256(data));

        JsonNode s = awaitUploadSettled("ok1");
        assertEquals("done", s.path("uploadState").asText(), s.toString());
        assertEquals(sha256(data), s.path("fileSha256").asText());
        assertEquals("Stopped", s.path("packetCaptureStatus").asText());
        JsonNode get = c.send("GET", nw + "/packetCaptures/ok1" + V, null).json();
        assertEquals(sha256(data), get.path("properties").path("fileSha256").asText());
        // stopping the finished capture has nothing to do: answered 200 at once (no operation)
        var stop = c.send("POST", nw + "/packetCaptures/ok1/stop" + V, null);
        assertEquals(200, stop.status(), stop.body());
        assertEquals(null, stop.header("Location"));
        // a repeated final request of the same upload completes again; nothing else may replace the file
        assertEquals(200, putFile(o, data));
        assertEquals(409, putFile(o, "other bytes".getBytes()));
    }

    @Test
    void upload_whoseStoredBytesDifferFromTheAgentsFile_failsAndIsNeverDone() throws Exception {
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/bad2" + V, body(null)).status());
        CaptureOrder o = order("bad2");
        byte[] stored = "what arrived".getBytes();
        assertEquals(200, putFile(o, stored));
        byte[] written = "what the agent wrote".getBytes();
        reportDone(o, stored.length, sha256(written));

        JsonNode s = awaitUploadSettled("bad2");
        assertEquals("failed", s.path("uploadState").asText(), s.toString());
        assertEquals("Error", s.path("packetCaptureStatus").asText());
        assertEquals("UploadFailed", s.path("stopReason").asText());
        assertTrue(s.path("packetCaptureError").toString().contains("StorageFailed"), s.toString());
        assertTrue(s.path("message").asText().contains("SHA-256"), s.toString());
        assertFalse(s.has("fileSha256"));
    }

    @Test
    void upload_reportedDoneWithMoreBytesThanStored_fails() throws Exception {
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/short1" + V, body(null)).status());
        CaptureOrder o = order("short1");
        byte[] stored = "12345".getBytes();
        assertEquals(200, putFile(o, stored));
        reportDone(o, 10, null);
        JsonNode s = awaitUploadSettled("short1");
        assertEquals("failed", s.path("uploadState").asText(), s.toString());
        assertTrue(s.path("message").asText().contains("5 bytes"), s.toString());
    }

    @Test
    void dataDirectoryDatabaseAndStoredFiles_areNotReadableByOthers() throws Exception {
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/mode1" + V, body(null)).status());
        assertEquals(200, putFile(order("mode1"), "x".getBytes()));

        assertEquals("rwx------", mode(c.dir));
        assertEquals("rwx------", mode(c.dir.resolve("state")));
        try (var files = Files.list(c.dir.resolve("state"))) {
            List<Path> all = files.toList();
            assertTrue(all.stream().anyMatch(f -> f.getFileName().toString().endsWith(".mv.db")), all.toString());
            for (Path f : all) if (Files.isRegularFile(f)) assertEquals("rw-------", mode(f), f.toString());
        }
        Path root = c.dir.resolve("storage");
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isDirectory(p)) assertEquals("rwxr-x---", mode(p), p.toString());
                else assertEquals("rw-r-----", mode(p), p.toString());
            }
        }
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
