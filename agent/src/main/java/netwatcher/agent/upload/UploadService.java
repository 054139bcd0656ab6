package netwatcher.agent.upload;

import netwatcher.model.agent.UploadTarget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs uploads of finished capture files in the background, one virtual thread each, retrying a
 * failed attempt with exponential backoff and full jitter (from {@code backoffBase} doubling up to
 * {@code backoffCap}) until {@code retryLimit} has passed since the first attempt; only then is the
 * upload given up and reported failed. The local file is never deleted. Thread-safe.
 */
public final class UploadService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);

    private final Map<String, Uploader> uploaders;
    private final Duration retryLimit;
    private final Duration backoffBase;
    private final Duration backoffCap;
    private final InstantSource clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** What an upload tells its owner. Called from the upload's thread. */
    public interface Listener {
        /** Bytes the destination confirmed so far (monotone within one attempt). */
        void progress(long uploadedBytes);

        /** The destination holds the whole file, whose SHA-256 (lower-case hex) is {@code sha256}. */
        void done(long uploadedBytes, String sha256);

        /** Every retry failed within the retry limit; {@code message} says the last failure. */
        void failed(String message, long uploadedBytes);
    }

    /**
     * @param uploaders  uploader by {@link UploadTarget#kind()} ({@code local}, {@code blob})
     * @param retryLimit total time an upload keeps retrying
     */
    public UploadService(Map<String, Uploader> uploaders, Duration retryLimit, Duration backoffBase, Duration backoffCap,
                         InstantSource clock) {
        this.uploaders = Map.copyOf(uploaders);
        this.retryLimit = retryLimit;
        this.backoffBase = backoffBase;
        this.backoffCap = backoffCap;
        this.clock = clock;
    }

    /** Starts uploading {@code file} to {@code target}; cancel the future to abandon it (the state stays resumable). */
    public Future<?> submit(String key, Path file, UploadTarget target, Listener listener) {
        return executor.submit(() -> run(key, file, target, listener));
    }

    private void run(String key, Path file, UploadTarget target, Listener listener) {
        Uploader uploader = uploaders.get(target.kind());
        AtomicLong confirmed = new AtomicLong();
        if (uploader == null) {
            listener.failed("unknown upload kind '" + target.kind() + "'", 0);
            return;
        }
        Instant deadline = clock.instant().plus(retryLimit);
        FileDigest digest = new FileDigest(); // kept across attempts: a retry hashes only what it reads anew
        long ceiling = backoffBase.toMillis();
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                if (!Files.isRegularFile(file)) throw new IOException("capture file " + file + " is missing");
                uploader.upload(file, target, bytes -> {
                    confirmed.set(bytes);
                    listener.progress(bytes);
                }, digest);
                String sha256 = digest.finish(file, Files.size(file));
                listener.done(confirmed.get(), sha256);
                return;
            } catch (InterruptedException e) {
                return; // abandoned (shutdown or capture deleted): the journal keeps it resumable
            } catch (IOException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) return;
                if (!clock.instant().isBefore(deadline)) {
                    listener.failed("upload of " + file + " gave up after " + attempt + " attempts over " + retryLimit
                            + ": " + e.getMessage(), confirmed.get());
                    return;
                }
                long wait = ceiling / 2 + RandomGenerator.getDefault().nextLong(ceiling - ceiling / 2 + 1);
                ceiling = Math.min(ceiling * 2, backoffCap.toMillis());
                LOG.atInfo().addKeyValue("upload", key).addKeyValue("attempt", attempt).addKeyValue("retryMs", wait)
                        .log("upload attempt failed, retrying: {}", e.getMessage());
                try {
                    Thread.sleep(Math.max(1, Math.min(wait, Duration.between(clock.instant(), deadline).toMillis() + 1)));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
