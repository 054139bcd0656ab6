package netwatcher.model.agent;

import java.time.Instant;
import java.util.List;

/**
 * The file set of a capture: its files still on the host or not yet settled, and the time the files on the host
 * cover.
 *
 * @param files        the files, oldest first (those removed and settled long ago are left out, see
 *                     {@link #MAX_LISTED})
 * @param filesWritten files the capture has opened so far
 * @param filesLost    files removed from the host before their upload finished
 * @param coveredFrom  first packet time of the oldest file on the host, or null when they hold no packet
 * @param coveredTo    last packet time of the newest file on the host, or null
 * @param gaps         the spans in which the capture captured nothing because its agent restarted and resumed it,
 *                     oldest first (empty when it never restarted; absent from older agents)
 */
public record RingReport(List<RingFileReport> files, long filesWritten, long filesLost, Instant coveredFrom,
                         Instant coveredTo, List<CaptureGap> gaps) {
    /** Most files one report lists: the newest ones (a ring of 10000 files would not fit a report). */
    public static final int MAX_LISTED = 200;

    public RingReport {
        files = files == null ? List.of() : List.copyOf(files);
        gaps = gaps == null ? List.of() : List.copyOf(gaps);
    }

    /** A file set that never restarted. */
    public RingReport(List<RingFileReport> files, long filesWritten, long filesLost, Instant coveredFrom, Instant coveredTo) {
        this(files, filesWritten, filesLost, coveredFrom, coveredTo, List.of());
    }
}
