package netwatcher.agent.upload;

import com.azure.storage.blob.BlobContainerClient;
import netwatcher.model.agent.UploadTarget;
import netwatcher.testing.azurite.AzuriteServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blob uploader against a real Azurite, through the official SDK and the JDK HTTP client. */
@Tag("external")
class BlobUploaderTest {
    private static final int BLOCK = 1 << 20;

    @TempDir Path tmp;
    AzuriteBlobs blobs;
    AzuriteServer azurite;
    BlobContainerClient container;

    @BeforeEach
    void startAzurite() throws IOException {
        blobs = AzuriteBlobs.start(tmp.resolve("azurite"));
        azurite = blobs.azurite;
        container = blobs.container;
    }

    @AfterEach
    void stopAzurite() {
        blobs.close();
    }

    UploadTarget target(String name) {
        return blobs.target(name);
    }

    Path randomFile(int bytes) throws IOException {
        byte[] data = new byte[bytes];
        new Random(42).nextBytes(data);
        Path file = tmp.resolve("capture.cap");
        Files.write(file, data);
        return file;
    }

    byte[] download(String name) {
        return blobs.download(name);
    }

    @Test
    void upload_whenAzuriteUp_storesTheFileByteForByte() throws Exception {
        Path file = randomFile(5 * BLOCK + 12345);
        new BlobUploader(BLOCK).upload(file, target("a/pc1.cap"), bytes -> { }, new FileDigest());
        assertArrayEquals(Files.readAllBytes(file), download("a/pc1.cap"));
    }

    @Test
    void upload_whenAzuriteStopsMidUploadAndComesBack_resumesAndTheFileArrivesWhole() throws Exception {
        Path file = randomFile(12 * BLOCK + 777);
        AtomicBoolean outageDone = new AtomicBoolean();
        AtomicInteger failedAttempts = new AtomicInteger();
        BlobUploader blob = new BlobUploader(BLOCK);
        Uploader withOutage = (f, t, progress, digest) -> {
            LongConsumer tap = bytes -> {
                progress.accept(bytes);
                if (bytes >= 4L * BLOCK && outageDone.compareAndSet(false, true)) {
                    azurite.stop(); // storage goes away in the middle of the upload
                    CompletableFuture.runAsync(() -> {
                        try {
                            Thread.sleep(6000); // longer than the SDK's own request timeouts
                            azurite.start(); // same port, same data
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            };
            try {
                blob.upload(f, t, tap, digest);
            } catch (IOException | RuntimeException e) {
                failedAttempts.incrementAndGet();
                throw e;
            }
        };
        UploadService service = new UploadService(Map.of(UploadTarget.BLOB, withOutage), Duration.ofMinutes(2),
                Duration.ofMillis(200), Duration.ofSeconds(1), InstantSource.system());
        CompletableFuture<Long> result = new CompletableFuture<>();
        service.submit("pc2", file, target("b/pc2.cap"), new UploadService.Listener() {
            @Override public void progress(long uploadedBytes) { }
            @Override public void done(long uploadedBytes, String sha256) { result.complete(uploadedBytes); }
            @Override public void failed(String message, long uploadedBytes) { result.completeExceptionally(new AssertionError(message)); }
        });
        long uploaded = result.get(120, TimeUnit.SECONDS);
        service.close();

        assertTrue(outageDone.get());
        assertTrue(failedAttempts.get() >= 1, "the outage made at least one attempt fail");
        assertEquals(Files.size(file), uploaded);
        assertArrayEquals(Files.readAllBytes(file), download("b/pc2.cap"));
        assertTrue(Files.exists(file), "the local file is kept");
    }

    @Test
    void upload_whenRetryLimitPasses_reportsFailureAndKeepsTheFile() throws Exception {
        Path file = randomFile(BLOCK);
        UploadTarget t = target("c/pc3.cap");
        azurite.stop();
        UploadService service = new UploadService(Map.of(UploadTarget.BLOB, new BlobUploader(BLOCK)),
                Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(300), InstantSource.system());
        CompletableFuture<String> failure = new CompletableFuture<>();
        service.submit("pc3", file, t, new UploadService.Listener() {
            @Override public void progress(long uploadedBytes) { }
            @Override public void done(long uploadedBytes, String sha256) { failure.completeExceptionally(new AssertionError("uploaded to a stopped Azurite")); }
            @Override public void failed(String message, long uploadedBytes) { failure.complete(message); }
        });
        String message = failure.get(60, TimeUnit.SECONDS);
        service.close();
        assertTrue(message.contains("gave up"), message);
        assertTrue(!message.contains("sig="), "no SAS signature in messages: " + message);
        assertTrue(Files.exists(file));
    }

    @Test
    void upload_whenTheBlobExistsAlready_failsAndLeavesItAlone() throws Exception {
        byte[] other = "another capture's file".getBytes();
        container.getBlobClient("d/taken.cap").upload(com.azure.core.util.BinaryData.fromBytes(other));
        Path file = randomFile(2 * BLOCK + 5);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> new BlobUploader(BLOCK).upload(file, target("d/taken.cap"), bytes -> { }, new FileDigest()));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        assertArrayEquals(other, download("d/taken.cap"));
    }

    @Test
    void upload_repeatedAfterItsCommit_isDoneWithoutWritingAgain() throws Exception {
        Path file = randomFile(3 * BLOCK + 1);
        new BlobUploader(BLOCK).upload(file, target("e/pc.cap"), bytes -> { }, new FileDigest());
        FileDigest digest = new FileDigest();
        new BlobUploader(BLOCK).upload(file, target("e/pc.cap"), bytes -> { }, digest); // the commit's answer was lost
        assertEquals(sha256(Files.readAllBytes(file)), digest.finish(file, Files.size(file)));
        assertArrayEquals(Files.readAllBytes(file), download("e/pc.cap"));
    }

    @Test
    void upload_throughTheService_reportsTheFilesSha256() throws Exception {
        Path file = randomFile(4 * BLOCK + 99);
        UploadService service = new UploadService(Map.of(UploadTarget.BLOB, new BlobUploader(BLOCK)), Duration.ofSeconds(30),
                Duration.ofMillis(200), Duration.ofSeconds(1), InstantSource.system());
        CompletableFuture<String> sha = new CompletableFuture<>();
        service.submit("pc5", file, target("f/pc5.cap"), new UploadService.Listener() {
            @Override public void progress(long uploadedBytes) { }
            @Override public void done(long uploadedBytes, String sha256) { sha.complete(sha256); }
            @Override public void failed(String message, long uploadedBytes) { sha.completeExceptionally(new AssertionError(message)); }
        });
        assertEquals(sha256(Files.readAllBytes(file)), sha.get(60, TimeUnit.SECONDS));
        service.close();
    }

    static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }
}
