package netwatcher.agent.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.time.Instant;

/**
 * The one reader of classic pcap framing that {@link RecordWalker} (counting a file's records) and {@link PcapWindow}
 * (cutting a time window out of files) share: the 24-byte file header and the test that tells a 16-byte record header
 * from bytes that cannot be one (the file's valid end).
 *
 * @param order      the file's byte order
 * @param nanosecond true for nanosecond timestamps (magic {@code a1b23c4d}), false for microseconds
 * @param snapLength the header's snap length
 * @param linktype   the header's link type (its low 28 bits)
 * @param header     the 24 header bytes as read
 */
record PcapRecords(ByteOrder order, boolean nanosecond, int snapLength, int linktype, byte[] header) {
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;

    /** Reads the file header at offset 0; throws when the file is shorter or not a classic pcap file. */
    static PcapRecords read(FileChannel channel, String name) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FILE_HEADER);
        while (header.hasRemaining()) {
            if (channel.read(header, header.position()) < 0) break;
        }
        if (header.position() < FILE_HEADER) {
            throw new CaptureException(name + " is not a pcap file: " + header.position()
                    + " bytes, shorter than the 24-byte file header");
        }
        return parse(header.array(), name);
    }

    /** Parses a 24-byte file header. */
    static PcapRecords parse(byte[] bytes, String name) {
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
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
        return new PcapRecords(order, nano, header.getInt(16), header.getInt(20) & 0x0FFF_FFFF, bytes.clone());
    }

    /** The largest caplen a record of this file may have: its snap length, or a whole packet when that is larger. */
    long maxCaplen() {
        return Math.max(Integer.toUnsignedLong(snapLength), CaptureOptions.WHOLE_PACKET);
    }

    /**
     * True when a record header's fields (unsigned) can be a record of this file: caplen within {@code maxCaplen}, no
     * more than the original length, a fraction below one second, not all zero.
     */
    boolean plausible(long seconds, long fraction, long caplen, long len, long maxCaplen) {
        return caplen <= maxCaplen && len >= caplen && fraction < (nanosecond ? 1_000_000_000L : 1_000_000L)
                && !(seconds == 0 && caplen == 0 && len == 0);
    }

    /** Nanoseconds since the epoch of a record's timestamp. */
    long nanos(long seconds, long fraction) {
        return seconds * 1_000_000_000L + (nanosecond ? fraction : fraction * 1000);
    }

    /** A record's timestamp. */
    Instant instant(long seconds, long fraction) {
        return Instant.ofEpochSecond(seconds, nanosecond ? fraction : fraction * 1000);
    }

    /** Same byte order, timestamp resolution and link type: the records of both fit one file. */
    boolean sameFormat(PcapRecords other) {
        for (int i = 0; i < 4; i++) if (header[i] != other.header[i]) return false;
        for (int i = 20; i < 24; i++) if (header[i] != other.header[i]) return false;
        return true;
    }
}
