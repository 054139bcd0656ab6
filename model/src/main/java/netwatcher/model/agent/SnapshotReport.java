package netwatcher.model.agent;

import java.time.Instant;
import java.util.Objects;

/**
 * What became of a {@link SnapshotOrder}; sent in {@link Reports#snapshots()}. Idempotent: the controller keeps the first
 * final report of each snapshot and ignores the rest.
 *
 * @param id          the order's id
 * @param captureKey  the order's capture key
 * @param state       {@link State#Running} while it is cut or uploaded, then {@link State#Succeeded} or
 *                    {@link State#Failed}
 * @param packets     records in the snapshot file
 * @param bytes       the file's size, header included
 * @param firstPacket capture time of its first record, or null when the window held none
 * @param lastPacket  capture time of its last record, or null
 * @param storagePath where it is stored (the storage URL), or, for a capture that uploads nowhere, the file on the host;
 *                    null while not stored and on failure
 * @param errorCode   on failure, a specific cause: {@code DiskSpaceLow}, {@code CaptureNotRunning},
 *                    {@code WindowNotCovered}, {@code UploadFailed} or {@code SnapshotFailed}; else null
 * @param message     on failure, a sentence saying why; else null
 */
public record SnapshotReport(String id, String captureKey, State state, long packets, long bytes, Instant firstPacket,
                             Instant lastPacket, String storagePath, String errorCode, String message) {
    /** Where a snapshot is. */
    public enum State { Running, Succeeded, Failed;
        public boolean isFinal() { return this != Running; }
    }

    public SnapshotReport {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(captureKey, "captureKey");
        Objects.requireNonNull(state, "state");
        if (state == State.Failed && errorCode == null) throw new IllegalArgumentException("a failed snapshot needs an errorCode");
    }

    /** A failure of snapshot {@code order} with cause {@code code}. */
    public static SnapshotReport failed(SnapshotOrder order, String code, String message) {
        return new SnapshotReport(order.id(), order.captureKey(), State.Failed, 0, 0, null, null, null, code, message);
    }
}
