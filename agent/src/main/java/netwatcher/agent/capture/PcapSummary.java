package netwatcher.agent.capture;

import java.time.Instant;

/**
 * What a classic pcap file holds.
 *
 * @param linktype       the file's link type (1 EN10MB, 276 LINUX_SLL2, ...)
 * @param snapLength     the snap length in the file header
 * @param nanosecond     true for nanosecond timestamps (magic {@code a1b23c4d}), false for microseconds
 * @param packets        complete records
 * @param bytes          bytes up to the end of the last complete record (header included)
 * @param firstPacket    timestamp of the first record, or null when there is none
 * @param lastPacket     timestamp of the last record, or null when there is none
 * @param discardedBytes bytes after the last complete record: a partial record left by a crash,
 *                       or garbage. {@link PcapFiles#finalizeAfterCrash} truncates them away
 */
public record PcapSummary(int linktype, int snapLength, boolean nanosecond, long packets, long bytes,
                          Instant firstPacket, Instant lastPacket, long discardedBytes) {
}
