package netwatcher.model.agent;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot the controller wants cut out of a running capture's files on this agent's host
 * ({@code POST .../packetCaptures/{name}/snapshot}, docs/captures.md "Snapshots"): the records whose capture time lies in
 * {@code [from, to]}, into one pcap file stored at {@code upload}. Listed in {@link Orders#snapshots()} until the agent
 * reported it finished; the agent cuts each id once.
 *
 * @param id         the snapshot's id: a plain file name stem ({@code [A-Za-z0-9_-]}, 1 to 80 characters), also its
 *                   file's name ({@code <id>.cap})
 * @param captureKey the key of the capture ({@link CaptureOrder#key()}) whose files it cuts
 * @param from       the window's first instant (included)
 * @param to         the window's last instant (included)
 * @param upload     where the file goes: {@code <capture's storage folder>/snapshots/<id>.cap}; null when the capture
 *                   uploads nowhere (the file stays on the host beside the capture's)
 */
public record SnapshotOrder(String id, String captureKey, Instant from, Instant to, UploadTarget upload) {
    /** The characters and length of a snapshot id. */
    public static final String ID_PATTERN = "[A-Za-z0-9_-]{1,80}";

    public SnapshotOrder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(captureKey, "captureKey");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!id.matches(ID_PATTERN)) throw new IllegalArgumentException("a snapshot id must be " + ID_PATTERN + "; was '" + id + "'");
        if (!from.isBefore(to)) throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
    }
}
