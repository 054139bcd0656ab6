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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured storage accounts and what they can do. Thread-safe. */
public final class StorageService {
    private static final Logger LOG = LoggerFactory.getLogger(StorageService.class);
    public static final String CONTAINER = "network-watcher-logs";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FILE = DateTimeFormatter.ofPattern("'packetcapture_'HH'_'mm'_'ss'_'SSS'.cap'").withZone(ZoneOffset.UTC);

    private final Map<String, StorageAccount> accounts = new ConcurrentHashMap<>();
    private final Clock clock;

    public StorageService(List<StorageAccount> configured, Clock clock) {
        this.clock = clock;
        for (StorageAccount a : configured) accounts.put(a.id().key(), a);
    }

    /** Every configured account, also one not {@link #offered()} (its files stay readable where they are). */
    public List<StorageAccount> all() {
        return accounts.values().stream().sorted(java.util.Comparator.comparing(a -> a.id().key())).toList();
    }

    /**
     * The accounts offered to users (storage accounts list/GET): every configured account, except in cluster mode
     * the local ones, which hold files on one controller's disk only.
     */
    public List<StorageAccount> offered() {
        return all().stream().filter(this::sharedByEveryController).toList();
    }

    private volatile boolean cluster;

    /**
     * Several controllers share the database: a local account (a directory on this controller's disk) is then
     * no longer offered, and {@link #refusal} refuses it to captures, since another controller could be asked
     * for its files.
     */
    public void clusterMode() { cluster = true; }

    /** Whether this controller is one of several on a shared database. */
    public boolean inCluster() { return cluster; }

    /** Whether every controller reads the same files of {@code account}: always, except a local account in cluster mode. */
    public boolean sharedByEveryController(StorageAccount account) {
        return !cluster || account.kind() != StorageAccount.Kind.LOCAL;
    }

    /** Why a capture may not store into {@code account} here (the ARM error's message), or empty when it may. */
    public Optional<String> refusal(StorageAccount account) {
        if (sharedByEveryController(account)) return Optional.empty();
        String blob = accounts.values().stream().filter(a -> a.kind() == StorageAccount.Kind.BLOB).map(a -> a.id().toString())
                .sorted().findFirst().map(id -> " Use a blob storage account, for example '" + id + "'.")
                .orElse(" No blob storage account is configured: add 'storage.blob.NAME=<connection string>' to every controller's"
                        + " controller.properties (docs/deployment.md) and name it in storageLocation.storageId, or give only"
                        + " storageLocation.filePath to keep the file on the VM.");
        return Optional.of("Property 'properties.storageLocation.storageId' names storage account '" + account.name() + "', a directory"
                + " on one controller's disk, which is not available when several controllers share a database: its files could"
                + " not be downloaded through the other controllers." + blob);
    }

    public Optional<StorageAccount> find(ArmResourceId id) { return findByKey(id.key()); }

    /** The account whose id key ({@link ArmResourceId#key()}) is {@code key}. */
    public Optional<StorageAccount> findByKey(String key) { return Optional.ofNullable(accounts.get(key)); }

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

    /**
     * A URL for an agent to upload the files of a ring capture under {@code directory} (container first) of a BLOB
     * account: the directory's URL with a SAS of the container (create + write + read, valid {@code hours}), to which
     * the agent adds each file's name ({@code UploadTarget.forFile}). A service SAS names one blob or a whole
     * container, so this one allows creating any blob of the container; the agent commits with If-None-Match: *,
     * so it never replaces a blob, and the controller checks each file it reports stored.
     */
    public String uploadDirectorySasUrl(StorageAccount account, String directory, int hours) {
        prepareContainerAsync(account);
        int slash = directory.indexOf('/');
        var container = client(account).getBlobContainerClient(directory.substring(0, slash));
        String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now(clock).plusHours(hours),
                new com.azure.storage.blob.sas.BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true)
                        .setReadPermission(true)));
        return container.getBlobContainerUrl() + "/" + directory.substring(slash + 1) + "?" + sas;
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
                LOG.atWarn().addKeyValue("account", account.name())
                        .log("cannot create container {} (will retry): {}", CONTAINER, e.getMessage());
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

    /** Directory (inside a local account, outside every blob path) that holds uploads in progress. */
    public static final String PARTIAL_DIR = ".netwatcher-partial";
    /** Stored capture files: owner read/write, group read, nothing for others. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r-----");
    /** Directories of a local account: no access for others. */
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-x---");

    private Path file(StorageAccount account, String blobPath) {
        Path root = account.directory().toAbsolutePath().normalize();
        Path p = root.resolve(blobPath).normalize();
        if (!p.startsWith(root) || p.equals(root) || blobPath.contains("..") || root.relativize(p).getName(0).toString().startsWith(".")) {
            throw ArmErrorCode.InvalidParameter.exception("Blob path '" + blobPath + "' leaves the storage account.", "path");
        }
        return p;
    }

    /** The file that collects {@code owner}'s upload until it is complete; never a blob path. */
    Path partial(StorageAccount account, String owner) {
        if (!owner.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,127}")) throw new IllegalArgumentException("bad upload owner " + owner);
        return account.directory().toAbsolutePath().normalize().resolve(PARTIAL_DIR).resolve(owner + ".partial");
    }

    /**
     * Whether a blob (or something in its way: a directory at its path, a file where one of its
     * directories would be) exists in a local account, or, for a blob account, whether the blob
     * exists; false when a blob account cannot be asked within a few seconds (the commit's
     * create-only condition still refuses to overwrite).
     */
    public boolean exists(StorageAccount account, String blobPath) {
        if (account.kind() == StorageAccount.Kind.LOCAL) {
            Path root = account.directory().toAbsolutePath().normalize();
            Path p = file(account, blobPath);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return true;
            for (Path d = p.getParent(); d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
                if (Files.exists(d, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) return true;
            }
            return false;
        }
        try {
            int slash = blobPath.indexOf('/');
            return client(account).getBlobContainerClient(blobPath.substring(0, slash)).getBlobClient(blobPath.substring(slash + 1))
                    .existsWithResponse(Duration.ofSeconds(5), com.azure.core.util.Context.NONE).getValue();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("account", account.name())
                    .addKeyValue("blob", blobPath).log("cannot ask whether the blob exists: {}", e.getMessage());
            return false;
        }
    }

    /** Bytes of {@code owner}'s upload received so far (the complete size once its blob is in place). */
    public long received(StorageAccount account, String blobPath, String owner) throws IOException {
        Path part = partial(account, owner);
        if (Files.exists(part)) return Files.size(part);
        return 0;
    }

    /** A blob in a local account that an agent uploads to, and the capture key that owns the upload. */
    public record LocalTarget(StorageAccount account, String blobPath, String owner) {}

    /** Result of one upload request. */
    public record UploadProgress(long received, boolean complete) {}

    /**
     * Appends {@code [start, end]} of {@code owner}'s blob of {@code total} bytes from {@code in}; the
     * range must start where the previous one ended. The bytes collect in a file of the owner's own
     * (outside every blob path) that becomes the blob when complete, create-only: a blob that exists
     * already is never replaced (409 Conflict), so two uploads can never swap or overwrite each other's
     * file. The partial file stays (a second name of the blob) until {@link #forgetPartial}, so that a
     * repeated final request still finds the blob to be its own.
     */
    public UploadProgress append(LocalTarget target, long start, long end, long total, InputStream in) throws IOException {
        StorageAccount account = target.account();
        String blobPath = target.blobPath();
        String owner = target.owner();
        Path p = file(account, blobPath);
        Path part = partial(account, owner);
        createPrivateDirectories(part.getParent(), account);
        if (Files.exists(part) && Files.exists(p) && Files.isSameFile(part, p)) {
            return new UploadProgress(Files.size(p), true); // completed earlier; the answer was lost
        }
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (total > 0 && have >= total) {
            // every byte arrived earlier but the blob was not completed (the answer was lost): complete it now
            return commit(account, part, p, blobPath);
        }
        if (start != have) {
            throw ArmErrorCode.RangeNotSatisfiable.exception("The upload must resume at byte " + have + "; the request started at " + start + ".");
        }
        if (exists(account, blobPath)) throw blobExists(account, blobPath);
        long expected = end - start + 1;
        if (!Files.exists(part)) Files.createFile(part, PosixFilePermissions.asFileAttribute(FILE_MODE));
        Files.setPosixFilePermissions(part, FILE_MODE);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
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
        if (now >= total) return commit(account, part, p, blobPath);
        return new UploadProgress(now, false);
    }

    /** Makes the complete partial file the blob: a hard link, which fails rather than replace anything. */
    private UploadProgress commit(StorageAccount account, Path part, Path p, String blobPath) throws IOException {
        try {
            createPrivateDirectories(p.getParent(), account);
            Files.createLink(p, part);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw blobExists(account, blobPath);
        }
        return new UploadProgress(Files.size(p), true);
    }

    /** Drops {@code owner}'s partial file once the completed upload is recorded (the blob keeps the bytes). */
    public void forgetPartial(StorageAccount account, String owner) throws IOException {
        Files.deleteIfExists(partial(account, owner));
    }

    private static netwatcher.arm.ArmException blobExists(StorageAccount account, String blobPath) {
        return ArmErrorCode.Conflict.exception("The blob '" + blobPath + "' already exists in storage account '" + account.name()
                + "'; a stored file is never overwritten.");
    }

    /** Creates {@code dir} and its missing parents up to the account's root, none readable by others. */
    private static void createPrivateDirectories(Path dir, StorageAccount account) throws IOException {
        Path root = account.directory().toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, DIR_MODE);
        }
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root) && !Files.isDirectory(d); d = d.getParent()) missing.push(d);
        for (Path d : missing) {
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(d)) throw new NotDirectoryException(d.toString());
                continue; // made by a concurrent upload
            }
            Files.setPosixFilePermissions(d, DIR_MODE); // exact mode whatever the umask
        }
    }

    /** The SHA-256 (lower-case hex) of everything {@code in} yields, read in small pieces. */
    public static String sha256(InputStream in) throws IOException {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    /** Size and SHA-256 of a stored object. */
    public record StoredObject(long bytes, String sha256) {}

    /**
     * Reads a stored blob back and hashes it: the file of a local account, the blob of a blob
     * account (streamed, never held whole); empty when it does not exist.
     */
    public Optional<StoredObject> readBack(StorageAccount account, String blobPath) throws IOException {
        if (account.kind() == StorageAccount.Kind.LOCAL) {
            Optional<Path> f = localFile(account, blobPath);
            if (f.isEmpty()) return Optional.empty();
            try (InputStream in = Files.newInputStream(f.get())) {
                return Optional.of(new StoredObject(Files.size(f.get()), sha256(in)));
            }
        }
        int slash = blobPath.indexOf('/');
        BlobClient blob = client(account).getBlobContainerClient(blobPath.substring(0, slash)).getBlobClient(blobPath.substring(slash + 1));
        try (InputStream in = blob.openInputStream()) {
            CountingStream counted = new CountingStream(in);
            String hash = sha256(counted);
            return Optional.of(new StoredObject(counted.count, hash));
        } catch (com.azure.storage.blob.models.BlobStorageException e) {
            if (e.getStatusCode() == 404) return Optional.empty();
            throw new IOException("cannot read blob " + blobPath + " of storage account " + account.name() + ": " + e.getStatusCode(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot read blob " + blobPath + " of storage account " + account.name() + ": " + e.getMessage(), e);
        }
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) { super(in); }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }
    }

    /** Opens a stored blob for one sequential read (a local file, or a streamed blob download). */
    public InputStream openRead(StorageAccount account, String blobPath) throws IOException {
        if (account.kind() == StorageAccount.Kind.LOCAL) {
            return Files.newInputStream(localFile(account, blobPath).orElseThrow(() ->
                    new java.io.FileNotFoundException("storage account " + account.name() + " holds no file at " + blobPath)));
        }
        int slash = blobPath.indexOf('/');
        try {
            return client(account).getBlobContainerClient(blobPath.substring(0, slash)).getBlobClient(blobPath.substring(slash + 1))
                    .openInputStream();
        } catch (RuntimeException e) {
            throw new IOException("cannot read blob " + blobPath + " of storage account " + account.name() + ": " + e.getMessage(), e);
        }
    }

    /** Writes the content of one stored object. */
    @FunctionalInterface
    public interface ObjectWriter {
        void write(java.io.OutputStream out) throws IOException;
    }

    /**
     * Writes a new blob that the controller itself produces (a merged capture file): in a local account
     * through a partial file moved into place when complete, so a reader never sees half a file; in a blob
     * account as a block blob committed at close. Never overwrites: an existing object fails the write.
     */
    public void writeNew(StorageAccount account, String blobPath, String owner, ObjectWriter writer) throws IOException {
        if (account.kind() == StorageAccount.Kind.LOCAL) {
            Path target = file(account, blobPath);
            if (exists(account, blobPath)) throw new java.nio.file.FileAlreadyExistsException(blobPath);
            Path part = partial(account, owner);
            Files.createDirectories(part.getParent());
            try (java.io.OutputStream out = Files.newOutputStream(part)) {
                writer.write(out);
            }
            Files.setPosixFilePermissions(part, FILE_MODE);
            Files.createDirectories(target.getParent());
            Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        int slash = blobPath.indexOf('/');
        var blob = client(account).getBlobContainerClient(blobPath.substring(0, slash)).getBlobClient(blobPath.substring(slash + 1))
                .getBlockBlobClient();
        try (java.io.OutputStream out = blob.getBlobOutputStream(false)) {
            writer.write(out);
        } catch (RuntimeException e) {
            throw new IOException("cannot write blob " + blobPath + " of storage account " + account.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Objects of a local account kept outside its directory, under one folder: in cluster mode connectivity-check
     * evidence lives in the database, so that every controller serves it. Implementations are thread-safe.
     */
    public interface ObjectSource {
        /** The complete object at {@code blobPath} (container first), or empty. */
        Optional<byte[]> read(String blobPath) throws IOException;
    }

    private final Map<String, ObjectSource> mounts = new ConcurrentHashMap<>();

    /** Serves the blobs of {@code account} under {@code folder} (container first, no trailing slash) from {@code source}. */
    public void mount(StorageAccount account, String folder, ObjectSource source) {
        mounts.put(account.id().key() + "|" + folder + "/", source);
    }

    /** A stored object to download: its size, its file name and how to read it. */
    public record Content(long size, String fileName, Opener opener) {
        public InputStream open() throws IOException { return opener.open(); }
    }

    /** Opens a stored object's bytes. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    /** The complete object at {@code blobPath} of a local account: its file, or what a mounted source holds there. */
    public Optional<Content> open(StorageAccount account, String blobPath) throws IOException {
        for (var m : mounts.entrySet()) {
            String prefix = m.getKey().substring(m.getKey().indexOf('|') + 1);
            if (m.getKey().startsWith(account.id().key() + "|") && blobPath.startsWith(prefix)) {
                file(account, blobPath); // the same path rules as a file's
                Optional<byte[]> bytes = m.getValue().read(blobPath);
                if (bytes.isPresent()) {
                    byte[] b = bytes.get();
                    return Optional.of(new Content(b.length, blobPath.substring(blobPath.lastIndexOf('/') + 1),
                            () -> new java.io.ByteArrayInputStream(b)));
                }
                break; // not there: a file stored in the directory before (a controller that joined a cluster) still is
            }
        }
        Optional<Path> f = localFile(account, blobPath);
        if (f.isEmpty()) return Optional.empty();
        Path p = f.get();
        return Optional.of(new Content(Files.size(p), p.getFileName().toString(), () -> Files.newInputStream(p)));
    }

    /** The complete file of a blob in a local account, if present. */
    public Optional<Path> localFile(StorageAccount account, String blobPath) {
        Path p = file(account, blobPath);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    public static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
