package netwatcher.cli.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import netwatcher.cli.store.JsonFiles;

/**
 * Where a controller started by {@code nw up} is: what it writes to {@code DIR/controller.json} once it
 * listens, so that {@code nw}, {@code nw admin} and {@code nw lab} find it from the data directory alone.
 * It names the token file, never the token. Written atomically with mode 0600; on a clean stop the
 * record is kept, marked {@code stopped} with the time, so that a later command can say when and where
 * the controller ran. Immutable and thread-safe.
 *
 * @param url       the base URL the controller actually listens on ({@code https://127.0.0.1:9443})
 * @param caFile    absolute path of the CA certificate clients trust, or null with plain HTTP
 * @param tokenFile absolute path of the admin token file
 * @param pid       the process id of the controller's JVM
 * @param startedAt when the controller started listening
 * @param version   the netwatcher version of that process
 * @param stoppedAt when it stopped cleanly, or null while it runs (or after a crash)
 */
public record ControllerRecord(String url, String caFile, String tokenFile, long pid, Instant startedAt, String version,
                               Instant stoppedAt) {
    /** The record's file name inside the data directory. */
    public static final String FILE_NAME = "controller.json";

    public ControllerRecord {
        if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
            throw new IllegalArgumentException("url must be an http(s) URL, was " + url);
        }
        if (tokenFile == null) throw new IllegalArgumentException("tokenFile is required");
        if (pid <= 0) throw new IllegalArgumentException("pid must be positive, was " + pid);
        if (startedAt == null) throw new IllegalArgumentException("startedAt is required");
    }

    /** {@code DIR/controller.json}. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** The host of {@link #url}, without IPv6 brackets. */
    public String host() {
        String host = URI.create(url).getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port of {@link #url}. */
    public int port() {
        URI u = URI.create(url);
        return u.getPort() >= 0 ? u.getPort() : url.startsWith("https://") ? 443 : 80;
    }

    /** Whether the controller stopped cleanly (see {@link #stoppedAt}). */
    public boolean stopped() {
        return stoppedAt != null;
    }

    /** This record marked stopped at {@code at}. */
    public ControllerRecord stoppedAt(Instant at) {
        return new ControllerRecord(url, caFile, tokenFile, pid, startedAt, version, at);
    }

    /**
     * The record in {@code dataDir}, or empty when there is none.
     *
     * @throws IllegalStateException naming the file when it exists but cannot be read as a record
     */
    public static Optional<ControllerRecord> read(Path dataDir) {
        Path file = file(dataDir);
        try {
            JsonNode json = JsonFiles.readObject(file);
            JsonNode pid = json.path("pid");
            if (!pid.canConvertToLong()) throw new IOException("pid is missing or not a number");
            return Optional.of(new ControllerRecord(JsonFiles.text(json, "url"), JsonFiles.text(json, "caFile"),
                    JsonFiles.text(json, "tokenFile"), pid.asLong(), instant(json, "startedAt"),
                    JsonFiles.text(json, "version"), instant(json, "stoppedAt")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (AccessDeniedException e) {
            throw new IllegalStateException("cannot read " + file + " (mode 0600, permission denied): run as the user that started"
                    + " `nw up`, or log in with `nw login --endpoint URL --token T`", e);
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage()
                    + " (it is rewritten by the next `nw up --data-dir " + dataDir + "`)", e);
        }
    }

    private static Instant instant(JsonNode json, String field) {
        String text = JsonFiles.text(json, field);
        return text == null ? null : Instant.parse(text);
    }

    /** Writes this record to {@code DIR/controller.json}: a 0600 temporary file renamed over it. */
    public void write(Path dataDir) {
        Path file = file(dataDir);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("url", url);
        fields.put("caFile", caFile);
        fields.put("tokenFile", tokenFile);
        fields.put("pid", pid);
        fields.put("startedAt", startedAt);
        fields.put("version", version);
        fields.put("stoppedAt", stoppedAt);
        try {
            JsonFiles.writePrivate(file, JsonFiles.object(fields));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
