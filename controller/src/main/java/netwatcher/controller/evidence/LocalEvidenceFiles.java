package netwatcher.controller.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;

/** Evidence files in a local storage account's directory, as capture files (one controller). Thread-safe. */
final class LocalEvidenceFiles implements EvidenceFiles {
    private final StorageService storage;
    private final StorageAccount account;

    LocalEvidenceFiles(StorageService storage, StorageAccount account) {
        this.storage = storage;
        this.account = account;
    }

    @Override
    public OptionalLong storedSize(String checkKey, String blobPath) throws IOException {
        Optional<Path> f = storage.localFile(account, blobPath);
        return f.isPresent() ? OptionalLong.of(Files.size(f.get())) : OptionalLong.empty();
    }

    @Override
    public long received(String checkKey, String blobPath, String owner) throws IOException {
        return storage.received(account, blobPath, owner);
    }

    @Override
    public StorageService.UploadProgress append(String checkKey, StorageService.LocalTarget target, Chunk chunk, InputStream in)
            throws IOException {
        return storage.append(target, chunk.start(), chunk.end(), chunk.total(), in);
    }

    @Override
    public void forgetPartial(String checkKey, String owner) throws IOException {
        storage.forgetPartial(account, owner);
    }

    @Override
    public Optional<StorageService.StoredObject> readBack(String checkKey, String blobPath) throws IOException {
        return storage.readBack(account, blobPath);
    }

    @Override
    public void deleteStored(String checkKey, String blobPath) throws IOException {
        Optional<Path> f = storage.localFile(account, blobPath);
        if (f.isPresent()) Files.deleteIfExists(f.get());
    }

    @Override
    public void deleteAll(String checkKey) throws IOException {
        Path root = account.directory().toAbsolutePath().normalize();
        Path dir = root.resolve(StorageService.CONTAINER).resolve(EvidenceService.FOLDER).resolve(checkKey);
        Path partials = root.resolve(StorageService.PARTIAL_DIR);
        if (Files.isDirectory(partials, LinkOption.NOFOLLOW_LINKS)) {
            try (var list = Files.list(partials)) {
                for (Path p : list.filter(p -> p.getFileName().toString().startsWith("ev-" + checkKey + "-")).toList()) {
                    Files.deleteIfExists(p); // an upload that never completed
                }
            }
        }
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
