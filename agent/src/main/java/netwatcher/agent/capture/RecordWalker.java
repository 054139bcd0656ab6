package netwatcher.agent.capture;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.time.Instant;

/**
 * Walks the 16-byte record headers of a classic pcap file, from a position it remembers, and keeps
 * the record count and the first and last timestamps. It touches only the headers (one 16-byte
 * read per record through a read-only mapping of the new bytes), never the packet data, and stops
 * at the first incomplete or implausible record, whose offset is the file's valid end.
 *
 * <p>The capture session calls it after each flush, off libpcap's per-packet path; {@link PcapFiles}
 * uses it for whole files. The framing (file header, which bytes are a record) is {@link PcapRecords}', shared with
 * {@link PcapWindow}. Not thread-safe: one owner at a time.
 */
final class RecordWalker {
    static final int FILE_HEADER = PcapRecords.FILE_HEADER;
    static final int RECORD_HEADER = PcapRecords.RECORD_HEADER;
    /**
     * Bytes mapped at a time. Each mapped page is touched (records are small), and touched pages count
     * in the agent's resident memory until unmapped: 32 MiB windows showed up as 12 MiB spikes of RSS
     * during a flood, 1 MiB windows do not. A window always holds at least one whole record.
     */
    private static final long CHUNK = 1L << 20;

    private final ValueLayout.OfInt u32;
    private final PcapRecords format;
    final boolean nanosecond;
    final int snapLength;
    final int linktype;
    private final long maxCaplen;

    private long offset = FILE_HEADER;
    private long packets;
    private long firstSeconds = -1, firstFraction, lastSeconds = -1, lastFraction;
    private boolean corrupt;

    private RecordWalker(PcapRecords format) {
        this.format = format;
        this.u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(format.order());
        this.nanosecond = format.nanosecond();
        this.snapLength = format.snapLength();
        this.linktype = format.linktype();
        this.maxCaplen = format.maxCaplen();
    }

    /** Reads the 24-byte file header; throws when the file is too short or not a classic pcap file. */
    static RecordWalker open(FileChannel channel, String name) throws IOException {
        return new RecordWalker(PcapRecords.read(channel, name));
    }

    /** Advances over every complete, plausible record that ends at or before {@code end}. */
    void walk(FileChannel channel, long end) throws IOException {
        while (!corrupt && offset + RECORD_HEADER <= end) {
            long length = Math.min(end - offset, Math.max(CHUNK, RECORD_HEADER + maxCaplen));
            long before = offset;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, offset, length, arena);
                long position = 0;
                while (position + RECORD_HEADER <= length) {
                    long seconds = Integer.toUnsignedLong(mapped.get(u32, position));
                    long fraction = Integer.toUnsignedLong(mapped.get(u32, position + 4));
                    long caplen = Integer.toUnsignedLong(mapped.get(u32, position + 8));
                    long len = Integer.toUnsignedLong(mapped.get(u32, position + 12));
                    if (!format.plausible(seconds, fraction, caplen, len, maxCaplen)) {
                        corrupt = true;
                        break;
                    }
                    long next = position + RECORD_HEADER + caplen;
                    if (next > length) break; // incomplete in this chunk (or at the end of the file)
                    if (firstSeconds < 0) {
                        firstSeconds = seconds;
                        firstFraction = fraction;
                    }
                    lastSeconds = seconds;
                    lastFraction = fraction;
                    packets++;
                    position = next;
                }
                offset += position;
            }
            if (offset == before) break; // no complete record fits before end
        }
    }

    /** Offset just past the last complete record walked. */
    long validEnd() { return offset; }

    long packets() { return packets; }

    /** True when the walk stopped at bytes that cannot be a record (not merely an incomplete one). */
    boolean corrupt() { return corrupt; }

    Instant firstPacket() { return firstSeconds < 0 ? null : instant(firstSeconds, firstFraction); }

    Instant lastPacket() { return lastSeconds < 0 ? null : instant(lastSeconds, lastFraction); }

    private Instant instant(long seconds, long fraction) {
        return format.instant(seconds, fraction);
    }
}
