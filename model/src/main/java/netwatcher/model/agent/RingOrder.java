package netwatcher.model.agent;

/**
 * The file set of a capture ({@code continuousCapture} with {@code captureSettings}, api-version 2023-11-01 on):
 * the agent writes files of at most {@code fileSizeBytes} (plus at most one packet record) one after another.
 *
 * @param fileCount     files kept at once (1-10000)
 * @param fileSizeBytes bytes per file, header included; a file is closed once it holds this many
 * @param continuous    true: a ring, the oldest file replaced by the next until the session's time limit or a
 *                      stop; false: the capture ends once {@code fileCount} files are full
 */
public record RingOrder(int fileCount, long fileSizeBytes, boolean continuous) {
    /** Smallest file size a ring accepts: room for the pcap header and some packets. */
    public static final long MIN_FILE_SIZE = 4096;
    public static final int MAX_FILE_COUNT = 10_000;

    public RingOrder {
        if (fileCount < 1 || fileCount > MAX_FILE_COUNT) {
            throw new IllegalArgumentException("fileCount must be 1 to " + MAX_FILE_COUNT + "; was " + fileCount);
        }
        if (fileSizeBytes < MIN_FILE_SIZE || fileSizeBytes > CaptureOrder.MAX_BYTES) {
            throw new IllegalArgumentException("fileSizeBytes must be " + MIN_FILE_SIZE + " to " + CaptureOrder.MAX_BYTES
                    + "; was " + fileSizeBytes);
        }
    }
}
