package netwatcher.controller.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;
import netwatcher.controller.storage.StorageService;

/**
 * Where a check's evidence files are kept and how an agent's resumable upload collects into one: the default
 * local storage account's directory with one controller ({@link LocalEvidenceFiles}), the database in cluster
 * mode ({@link DatabaseEvidenceFiles}), so that every controller takes the upload and serves the file.
 * Either way a stored file is create-only. Implementations are thread-safe.
 */
interface EvidenceFiles {
    /** One {@code Content-Range} of an upload: bytes {@code start..end} (inclusive) of {@code total}. */
    record Chunk(long start, long end, long total) {}

    /** The size of the complete stored file at {@code blobPath}, or empty when none is stored. */
    OptionalLong storedSize(String checkKey, String blobPath) throws IOException;

    /** Bytes of {@code owner}'s upload to {@code blobPath} received so far. */
    long received(String checkKey, String blobPath, String owner) throws IOException;

    /** Appends a chunk (it must start where the upload stands, else 416); the file is stored once complete. */
    StorageService.UploadProgress append(String checkKey, StorageService.LocalTarget target, Chunk chunk, InputStream in) throws IOException;

    /** Drops what an upload kept besides its stored file. */
    void forgetPartial(String checkKey, String owner) throws IOException;

    /** Size and SHA-256 of the stored file, or empty. */
    Optional<StorageService.StoredObject> readBack(String checkKey, String blobPath) throws IOException;

    /** Deletes a stored file that is not the one announced, so the agent's retry stores it again. */
    void deleteStored(String checkKey, String blobPath) throws IOException;

    /** Deletes every file (and unfinished upload) of a check, before its evidence row goes. */
    void deleteAll(String checkKey) throws IOException;
}
