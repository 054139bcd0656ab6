package netwatcher.controller.evidence;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;
import netwatcher.controller.storage.StorageService;

/**
 * Evidence files in {@code nw_evidence_file} (cluster mode): an upload's bytes collect in its row until complete,
 * whichever controller each request reaches; the complete row is the stored file, served by every controller
 * through the local account's download route ({@link StorageService#mount}). Files are bounded by the evidence
 * byte limit, so a chunk is read whole before its transaction (no connection is held while the agent sends).
 * Thread-safe.
 */
final class DatabaseEvidenceFiles implements EvidenceFiles {
    private record State(long total, boolean complete, byte[] data) {}

    private final Database db;
    private final long maxBytes;

    /** @param maxBytes the largest file accepted (the route checks it before; this bounds what is read) */
    DatabaseEvidenceFiles(Database db, long maxBytes) {
        this.db = db;
        this.maxBytes = maxBytes;
    }

    private Optional<State> state(String checkKey, String blobPath) {
        return db.queryOne("SELECT total, complete, data FROM nw_evidence_file WHERE check_key = ? AND blob_path = ?",
                r -> new State(r.getLong("total"), r.getBoolean("complete"), r.getBytes("data")), checkKey, blobPath);
    }

    @Override
    public OptionalLong storedSize(String checkKey, String blobPath) {
        Optional<Long> size = db.queryOne("SELECT octet_length(data) AS n FROM nw_evidence_file WHERE check_key = ? AND blob_path = ?"
                + " AND complete = TRUE", r -> r.getLong("n"), checkKey, blobPath);
        return size.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    @Override
    public long received(String checkKey, String blobPath, String owner) {
        return db.queryOne("SELECT octet_length(data) AS n FROM nw_evidence_file WHERE check_key = ? AND blob_path = ? AND complete = FALSE",
                r -> r.getLong("n"), checkKey, blobPath).orElse(0L);
    }

    @Override
    public StorageService.UploadProgress append(String checkKey, StorageService.LocalTarget target, Chunk chunk, InputStream in)
            throws IOException {
        long expected = chunk.end() - chunk.start() + 1;
        if (chunk.total() > maxBytes) throw new IllegalArgumentException("evidence file of " + chunk.total() + " bytes");
        byte[] bytes = in.readNBytes((int) Math.min(expected, maxBytes)); // fewer when the body ended early: kept, resumed after
        String blobPath = target.blobPath();
        return db.inTransaction(h -> {
            Optional<State> s = h.queryOne("SELECT total, complete, data FROM nw_evidence_file WHERE check_key = ? AND blob_path = ? FOR UPDATE",
                    r -> new State(r.getLong("total"), r.getBoolean("complete"), r.getBytes("data")), checkKey, blobPath);
            if (s.isPresent() && s.get().complete()) return new StorageService.UploadProgress(s.get().data().length, true); // answer lost
            long have = s.map(x -> (long) x.data().length).orElse(0L);
            if (chunk.start() != have) {
                throw ArmErrorCode.RangeNotSatisfiable.exception("The upload must resume at byte " + have + "; the request started at "
                        + chunk.start() + ".");
            }
            if (s.isPresent() && s.get().total() != chunk.total()) {
                throw ArmErrorCode.InvalidParameter.exception("The upload was started with " + s.get().total() + " bytes in all; this request"
                        + " says " + chunk.total() + ".", "Content-Range");
            }
            byte[] data = s.isPresent() ? concat(s.get().data(), bytes) : bytes;
            boolean complete = data.length >= chunk.total();
            if (s.isPresent()) {
                h.update("UPDATE nw_evidence_file SET data = ?, complete = ? WHERE check_key = ? AND blob_path = ?", data, complete,
                        checkKey, blobPath);
            } else {
                // a concurrent first chunk through another controller loses on the primary key: 409, and its retry resumes
                h.update("INSERT INTO nw_evidence_file (check_key, blob_path, data, total, complete) VALUES (?,?,?,?,?)", checkKey,
                        blobPath, data, chunk.total(), complete);
            }
            return new StorageService.UploadProgress(data.length, complete);
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void forgetPartial(String checkKey, String owner) {
        // the row is both the upload and the stored file: nothing else to drop
    }

    /** The complete file at {@code blobPath}, for the download route; the check key is the path's folder after the evidence folder. */
    Optional<byte[]> read(String blobPath) {
        String prefix = StorageService.CONTAINER + "/" + EvidenceService.FOLDER + "/";
        if (!blobPath.startsWith(prefix) || blobPath.indexOf('/', prefix.length()) < 0) return Optional.empty();
        String checkKey = blobPath.substring(prefix.length(), blobPath.indexOf('/', prefix.length()));
        return state(checkKey, blobPath).filter(State::complete).map(State::data);
    }

    @Override
    public Optional<StorageService.StoredObject> readBack(String checkKey, String blobPath) throws IOException {
        Optional<State> s = state(checkKey, blobPath).filter(State::complete);
        if (s.isEmpty()) return Optional.empty();
        return Optional.of(new StorageService.StoredObject(s.get().data().length, StorageService.sha256(new ByteArrayInputStream(s.get().data()))));
    }

    @Override
    public void deleteStored(String checkKey, String blobPath) {
        db.update("DELETE FROM nw_evidence_file WHERE check_key = ? AND blob_path = ?", checkKey, blobPath);
    }

    @Override
    public void deleteAll(String checkKey) {
        db.update("DELETE FROM nw_evidence_file WHERE check_key = ?", checkKey);
    }
}
