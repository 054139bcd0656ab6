package netwatcher.model.agent;

import java.time.Instant;
import netwatcher.model.capture.UploadState;

/**
 * One file of a capture's file set, as the agent last saw it.
 *
 * @param name            the file's name (see {@code docs/captures.md}, "Ring files": capture stem, index, start time)
 * @param index           1 for the capture's first file, then 2, 3, ...: never reused, also after a file was replaced
 * @param bytes           bytes in the file, header included
 * @param packets         packets in the file
 * @param firstPacketTime timestamp of its first packet, or null
 * @param lastPacketTime  timestamp of its last packet, or null
 * @param open            true while the capture still writes it (its counts grow; it is uploaded once closed)
 * @param uploadState     {@code none} (no storage account), {@code pending}, {@code uploading}, {@code done} or
 *                        {@code failed}
 * @param onHost          false once the agent removed it from the host (replaced in the ring)
 * @param lost            true when it was removed from the host before its upload finished: its packets are nowhere
 */
public record RingFileReport(String name, long index, long bytes, long packets, Instant firstPacketTime,
                             Instant lastPacketTime, boolean open, UploadState uploadState, boolean onHost, boolean lost) {
}
