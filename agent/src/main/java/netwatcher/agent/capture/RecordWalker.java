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
 * uses it for whole files. Not thread-safe: one owner at a time.
 */
final class RecordWalker {
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;
    /**
     * Bytes mapped at a time. Each mapped page is touched (records are small), and touched pages count
     * in the agent's resident memory until unmapped: 32 MiB windows showed up as 12 MiB spikes of RSS
     * during a flood, 1 MiB windows do not. A window always holds at least one whole record.
     */
    private static final long CHUNK = 1L << 20;

    private final ValueLayout.OfInt u32;
    final boolean nanosecond;
    final int snapLength;
    final int linktype;
    private final long maxCaplen;

    private long offset = FILE_HEADER;
    private long packets;
    private long firstSeconds = -1, firstFraction, lastSeconds = -1, lastFraction;
    private boolean corrupt;

    private RecordWalker(ByteOrder order, boolean nanosecond, int snapLength, int linktype) {
        this.u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        this.nanosecond = nanosecond;
        this.snapLength = snapLength;
        this.linktype = linktype;
        this.maxCaplen = Math.max(Integer.toUnsignedLong(snapLength), CaptureOptions.WHOLE_PACKET);
    }

    /** Reads the 24-byte file header; throws when the file is too short or not a classic pcap file. */
    static RecordWalker open(FileChannel channel, String name) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FILE_HEADER);
        while (header.hasRemaining()) {
            if (channel.read(header, header.position()) < 0) break;
        }
        if (header.position() < FILE_HEADER) {
            throw new CaptureException(name + " is not a pcap file: " + header.position()
                    + " bytes, shorter than the 24-byte file header");
        }
        header.flip();
        header.order(ByteOrder.LITTLE_ENDIAN);
        int magic = header.getInt(0);
        ByteOrder order;
        boolean nano;
        switch (magic) {
            case 0xa1b2c3d4 -> { order = ByteOrder.LITTLE_ENDIAN; nano = false; }
            case 0xa1b23c4d -> { order = ByteOrder.LITTLE_ENDIAN; nano = true; }
            case 0xd4c3b2a1 -> { order = ByteOrder.BIG_ENDIAN; nano = false; }
            case 0x4d3cb2a1 -> { order = ByteOrder.BIG_ENDIAN; nano = true; }
            default -> throw new CaptureException(name + " is not a classic pcap file (magic 0x"
                    + Integer.toHexString(magic) + "; pcapng is not supported here)");
        }
        header.order(order);
        int snaplen = header.getInt(16);
        int linktype = header.getInt(20) & 0x0FFF_FFFF;
        return new RecordWalker(order, nano, snaplen, linktype);
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
                    if (caplen > maxCaplen || len < caplen || fraction >= (nanosecond ? 1_000_000_000L : 1_000_000L)
                            || (seconds == 0 && caplen == 0 && len == 0)) {
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
        return Instant.ofEpochSecond(seconds, nanosecond ? fraction : fraction * 1000);
    }
}
