package netwatcher.agent.ring;

import java.util.List;
import netwatcher.model.agent.CaptureGap;
import netwatcher.model.agent.RingFileReport;

/**
 * What a restarted agent needs to resume a ring ({@link RingKeeper#resume}): the durable part of a {@link RingKeeper},
 * saved by the control loop after every change of the ring's files (a file closed, an upload done) as
 * {@code <state-dir>/rings/<key>.json} (docs/agent.md, "State directory").
 *
 * @param key             the capture's key (checked against the file's name when it is read back)
 * @param lastClosedIndex the index of the newest file the capture closed (0 before the first): files on the host with
 *                        a higher index were being written when the agent stopped
 * @param filesWritten    files the capture opened so far
 * @param filesLost       files removed from the host before their upload finished
 * @param closedPackets   packets in every file the capture closed, also those no longer on the host
 * @param closedBytes     bytes of every file the capture closed
 * @param files           the closed files still on the host or whose upload had not settled, oldest first
 * @param gaps            the spans earlier restarts left uncaptured, oldest first
 */
public record RingState(String key, long lastClosedIndex, long filesWritten, long filesLost, long closedPackets,
                        long closedBytes, List<RingFileReport> files, List<CaptureGap> gaps) {
    public RingState {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("ring state needs a key");
        if (lastClosedIndex < 0 || filesWritten < 0 || filesLost < 0 || closedPackets < 0 || closedBytes < 0) {
            throw new IllegalArgumentException("ring state of " + key + " has a negative count");
        }
        files = files == null ? List.of() : List.copyOf(files);
        gaps = gaps == null ? List.of() : List.copyOf(gaps);
        for (RingFileReport f : files) {
            if (f == null || f.name() == null || f.index() < 1 || f.index() > lastClosedIndex) {
                throw new IllegalArgumentException("ring state of " + key + " lists a file that was never closed: " + f);
            }
            if (f.name().contains("/") || f.name().startsWith(".")) {
                throw new IllegalArgumentException("ring state of " + key + " lists a file name that is no ring file: " + f.name());
            }
        }
    }
}
