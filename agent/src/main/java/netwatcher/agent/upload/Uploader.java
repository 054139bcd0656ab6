package netwatcher.agent.upload;

import netwatcher.model.agent.UploadTarget;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * One kind of storage a finished capture file goes to. An {@link #upload} call is one attempt: it
 * first learns what the destination already holds and sends only the rest, so calling it again after
 * a failure resumes. {@link UploadService} adds retries. Implementations are thread-safe.
 */
public interface Uploader {

    /**
     * Uploads {@code file} to {@code target}, resuming from what the destination holds.
     *
     * @param progress called with the bytes the destination confirmed, after each confirmed step
     * @param digest   fed with the file's bytes as they are read for sending (kept across attempts)
     * @throws IOException on any failure (the caller retries)
     */
    void upload(Path file, UploadTarget target, LongConsumer progress, FileDigest digest) throws IOException, InterruptedException;
}
