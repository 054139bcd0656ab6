package netwatcher.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.agent.upload.FileDigest;
import netwatcher.agent.upload.LocalUploader;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.UploadTarget;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SHA-256 an upload reports is the capture file's, however the upload was cut and resumed. */
@Tag("e2e")
class UploadDigestTest {
    @TempDir Path tmp;
    FakeController controller;

    @BeforeEach
    void start() throws Exception {
        controller = new FakeController().start();
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    byte[] randomFile(Path file, int bytes) throws Exception {
        byte[] data = new byte[bytes];
        new Random(7).nextBytes(data);
        Files.write(file, data);
        return data;
    }

    UploadService service(int chunk) {
        return service(chunk, Duration.ofSeconds(30));
    }

    UploadService service(int chunk, Duration retryLimit) {
        LocalUploader local = new LocalUploader(HttpClient.newHttpClient(),
                uri -> HttpRequest.newBuilder(uri).header(ProtocolVersion.HEADER, "1")
                        .header("Authorization", "Bearer nwa." + FakeController.AGENT_ID + "." + FakeController.SECRET),
                chunk);
        return new UploadService(Map.of(UploadTarget.LOCAL, local), retryLimit, Duration.ofMillis(50),
                Duration.ofMillis(200), InstantSource.system());
    }

    String upload(UploadService service, String key, Path file) throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        service.submit(key, file, new UploadTarget(UploadTarget.LOCAL, controller.url() + "/agent/v1/captures/" + key + "/file", null),
                new UploadService.Listener() {
                    @Override public void progress(long uploadedBytes) { }
                    @Override public void done(long uploadedBytes, String sha256) { result.complete(sha256); }
                    @Override public void failed(String message, long uploadedBytes) { result.completeExceptionally(new AssertionError(message)); }
                });
        return result.get(60, TimeUnit.SECONDS);
    }

    @Test
    void upload_whenAPutBreaksMidway_reportsTheWholeFilesSha256() throws Exception {
        Path file = tmp.resolve("a.cap");
        byte[] data = randomFile(file, 300_000);
        controller.breakNextPutAfter(70_000);
        try (UploadService service = service(64 * 1024)) {
            assertEquals(sha256(data), upload(service, "c-a", file));
        }
        assertArrayEquals(data, controller.file("c-a").orElseThrow());
        assertEquals(List.of(), controller.violations());
    }

    @Test
    void upload_resumedByAnotherProcess_hashesThePrefixItDidNotSend() throws Exception {
        Path file = tmp.resolve("b.cap");
        byte[] data = randomFile(file, 200_000);
        // a first agent process sent part of the file, and its one attempt broke off
        controller.breakNextPutAfter(150_000);
        try (UploadService first = service(1 << 20, Duration.ofMillis(1))) {
            CompletableFuture<Void> failed = new CompletableFuture<>();
            first.submit("c-b", file, new UploadTarget(UploadTarget.LOCAL, controller.url() + "/agent/v1/captures/c-b/file", null),
                    new UploadService.Listener() {
                        @Override public void progress(long uploadedBytes) { }
                        @Override public void done(long uploadedBytes, String sha256) { failed.completeExceptionally(new AssertionError("done")); }
                        @Override public void failed(String message, long uploadedBytes) { failed.complete(null); }
                    });
            failed.get(30, TimeUnit.SECONDS);
        }
        assertEquals(150_000, controller.file("c-b").orElseThrow().length);
        try (UploadService second = service(1 << 20)) {
            assertEquals(sha256(data), upload(second, "c-b", file));
        }
        assertArrayEquals(data, controller.file("c-b").orElseThrow());
    }

    @Test
    void fileDigest_ignoresRepeatedAndOutOfOrderBytesAndCatchesUp() throws Exception {
        Path file = tmp.resolve("c.cap");
        byte[] data = randomFile(file, 1000);
        FileDigest d = new FileDigest();
        d.update(0, data, 0, 100);
        d.update(50, data, 50, 100);  // sent again in part
        d.update(500, data, 500, 100); // a gap: not taken
        d.update(0, data, 0, 10);      // old bytes: not taken
        assertEquals(150, d.hashed());
        assertEquals(sha256(data), d.finish(file, data.length));
        assertEquals(sha256(data), d.finish(file, data.length), "finishing again gives the same answer");
    }
}
