package netwatcher.controller.storage;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;

/** The configured storage accounts and what they can do. Thread-safe. */
public final class StorageService {
    public static final String CONTAINER = "network-watcher-logs";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FILE = DateTimeFormatter.ofPattern("'packetcapture_'HH'_'mm'_'ss'_'SSS'.cap'").withZone(ZoneOffset.UTC);

    private final Map<String, StorageAccount> accounts = new ConcurrentHashMap<>();
    private final Clock clock;

    public StorageService(List<StorageAccount> configured, Clock clock) {
        this.clock = clock;
        for (StorageAccount a : configured) accounts.put(a.id().key(), a);
    }

    public List<StorageAccount> all() {
        return accounts.values().stream().sorted(java.util.Comparator.comparing(a -> a.id().key())).toList();
    }

    public Optional<StorageAccount> find(ArmResourceId id) { return Optional.ofNullable(accounts.get(id.key())); }

    /** The blob path Azure would generate for a capture on {@code vmId} created at {@code created}. */
    public static String generatedPath(ArmResourceId vmId, Instant created) {
        return CONTAINER + vmId.key() + "/" + DAY.format(created) + "/" + FILE.format(created);
    }

    /** The public URL ({@code storagePath}) of a blob in an account. */
    public String blobUrl(StorageAccount account, String baseUrl, String blobPath) {
        if (account.kind() == StorageAccount.Kind.LOCAL) return baseUrl + "/storage/" + account.name() + "/" + blobPath;
        return client(account).getAccountUrl() + "/" + blobPath;
    }

    /** A URL with a SAS (create + write, valid {@code hours}) for an agent to upload one blob of a BLOB account. */
    public String uploadSasUrl(StorageAccount account, String blobPath, int hours) {
        prepareContainerAsync(account); // the SAS cannot create the container; the agent retries until it exists
        int slash = blobPath.indexOf('/');
        BlobClient blob = client(account).getBlobContainerClient(blobPath.substring(0, slash)).getBlobClient(blobPath.substring(slash + 1));
        String sas = blob.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now(clock).plusHours(hours),
                new BlobSasPermission().setCreatePermission(true).setWritePermission(true).setReadPermission(true)));
        return blob.getBlobUrl() + "?" + sas;
    }

    private final Map<String, BlobServiceClient> clients = new ConcurrentHashMap<>();

    private BlobServiceClient client(StorageAccount account) {
        return clients.computeIfAbsent(account.id().key(), k -> {
            var builder = new BlobServiceClientBuilder().connectionString(account.connectionString());
            builder.httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder().build());
            return builder.buildClient();
        });
    }

    private final java.util.Set<String> containersReady = ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> containersPreparing = ConcurrentHashMap.newKeySet();

    /**
     * Creates the container of a blob account in the background unless it is known to exist, so that
     * callers (the orders an agent waits for) never block on an unreachable account; a failed attempt
     * is repeated on the next call.
     */
    public void prepareContainerAsync(StorageAccount account) {
        String key = account.id().key();
        if (account.kind() != StorageAccount.Kind.BLOB || containersReady.contains(key) || !containersPreparing.add(key)) return;
        Thread.ofVirtual().name("nw-container-" + account.name()).start(() -> {
            try {
                prepareContainer(account);
                containersReady.add(key);
            } catch (RuntimeException e) {
                System.getLogger(StorageService.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot create container " + CONTAINER + " in storage account " + account.name() + " (will retry): " + e.getMessage());
            } finally {
                containersPreparing.remove(key);
            }
        });
    }

    /** Makes sure the container exists in a blob account (idempotent). */
    public void prepareContainer(StorageAccount account) {
        if (account.kind() != StorageAccount.Kind.BLOB) return;
        var container = client(account).getBlobContainerClient(CONTAINER);
        if (!container.exists()) container.create();
    }

    // ---- local accounts: resumable upload and ranged download ----

    private Path file(StorageAccount account, String blobPath) {
        Path root = account.directory().toAbsolutePath().normalize();
        Path p = root.resolve(blobPath).normalize();
        if (!p.startsWith(root) || blobPath.contains("..")) {
            throw ArmErrorCode.InvalidParameter.exception("Blob path '" + blobPath + "' leaves the storage account.", "path");
        }
        return p;
    }

    private static Path partial(Path p) { return p.resolveSibling(p.getFileName() + ".partial"); }

    /** Bytes already received for a blob (the complete size when done). */
    public long received(StorageAccount account, String blobPath) throws IOException {
        Path p = file(account, blobPath);
        if (Files.exists(p)) return Files.size(p);
        Path part = partial(p);
        return Files.exists(part) ? Files.size(part) : 0;
    }

    /** A blob in a local account that an agent uploads to. */
    public record LocalTarget(StorageAccount account, String blobPath) {}

    /** Result of one upload request. */
    public record UploadProgress(long received, boolean complete) {}

    /**
     * Appends {@code [start, end]} of a blob of {@code total} bytes from {@code in}; the range must
     * start where the previous one ended. The blob appears atomically when complete.
     */
    public UploadProgress append(StorageAccount account, String blobPath, long start, long end, long total, InputStream in) throws IOException {
        Path p = file(account, blobPath);
        Path part = partial(p);
        Files.createDirectories(p.getParent());
        if (Files.exists(p)) {
            return new UploadProgress(Files.size(p), true);
        }
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (total > 0 && have >= total) {
            // every byte arrived earlier but the blob was not completed (the answer was lost): complete it now
            Files.move(part, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new UploadProgress(Files.size(p), true);
        }
        if (start != have) {
            throw ArmErrorCode.RangeNotSatisfiable.exception("The upload must resume at byte " + have + "; the request started at " + start + ".");
        }
        long expected = end - start + 1;
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.position(start);
            // not closed on its own: closing the stream closes the channel, and force() below needs it open
            OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            long copied = in.transferTo(out);
            if (copied != expected) {
                ch.truncate(start + copied);
            }
            ch.force(true);
        }
        long now = Files.size(part);
        if (now >= total) {
            Files.move(part, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new UploadProgress(total, true);
        }
        return new UploadProgress(now, false);
    }

    /** The complete file of a blob in a local account, if present. */
    public Optional<Path> localFile(StorageAccount account, String blobPath) {
        Path p = file(account, blobPath);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    public static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
