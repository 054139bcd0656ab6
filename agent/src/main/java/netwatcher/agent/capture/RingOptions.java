package netwatcher.agent.capture;

/**
 * A capture written as a set of files instead of one (ARM's {@code continuousCapture} with
 * {@code captureSettings}). The session closes a file once it holds {@code fileSizeBytes} (it passes that by at
 * most one packet record, as with {@link CaptureOptions#byteLimit()}) and opens the next, between two
 * {@code pcap_dispatch} batches: packets that arrive meanwhile wait in the kernel ring, so none is lost at a
 * boundary. Files are named by {@link RingFile#name}. Which closed files stay on the host is not the session's
 * business: it hands every closed file to its listener ({@code netwatcher.agent.ring.RingKeeper} keeps, uploads
 * and removes them).
 *
 * @param fileCount     files in the set; with {@code continuous} false the session ends
 *                      ({@link EndCause#BYTE_LIMIT}) when this many are full
 * @param fileSizeBytes bytes per file, header included (at least 4096)
 * @param continuous    true: the session goes on after {@code fileCount} files (a ring); false: it ends then
 * @param firstIndex    the index of the session's first file: 1 for a new capture; the next unused index for a ring a
 *                      restarted agent resumes, so no file name is reused and the {@code fileCount} bound of a file set
 *                      counts the files written before the restart
 */
public record RingOptions(int fileCount, long fileSizeBytes, boolean continuous, long firstIndex) {
    public RingOptions {
        if (fileCount < 1) throw new IllegalArgumentException("fileCount must be at least 1; was " + fileCount);
        if (fileSizeBytes < 4096) throw new IllegalArgumentException("fileSizeBytes must be at least 4096; was " + fileSizeBytes);
        if (firstIndex < 1) throw new IllegalArgumentException("firstIndex must be at least 1; was " + firstIndex);
    }

    /** A new capture's ring: its first file has index 1. */
    public RingOptions(int fileCount, long fileSizeBytes, boolean continuous) {
        this(fileCount, fileSizeBytes, continuous, 1);
    }

    /** These options, the session's first file having index {@code value}. */
    public RingOptions startingAt(long value) {
        return new RingOptions(fileCount, fileSizeBytes, continuous, value);
    }
}
