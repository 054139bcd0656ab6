package netwatcher.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * What a classic pcap file holds for the benchmark: packet count, first timestamp, and the sequence
 * numbers carried by {@code udpsend} datagrams (8 bytes big-endian at the start of a payload of
 * {@code payload} bytes, read from the end of each full-length record, whatever the link type). Immutable.
 *
 * @param packets       records in the file
 * @param firstNanos    the first record's timestamp, nanoseconds since the epoch (0 when empty)
 * @param distinctSeq   distinct sequence numbers seen (duplicates, as on {@code any}, count once)
 * @param maxSeq        the highest sequence number seen (-1 when none)
 */
public record PcapFile(long packets, long firstNanos, long distinctSeq, long maxSeq) {

    public static PcapFile read(Path file, int payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        boolean nanos = magic == 0xa1b23c4d;
        if (!nanos && magic != 0xa1b2c3d4) throw new IOException(file + ": not a classic pcap file");
        int pos = 24;
        long packets = 0, first = 0, maxSeq = -1;
        BitSet seen = new BitSet();
        while (pos + 16 <= b.limit()) {
            long sec = Integer.toUnsignedLong(b.getInt(pos));
            long frac = Integer.toUnsignedLong(b.getInt(pos + 4));
            int incl = b.getInt(pos + 8);
            int orig = b.getInt(pos + 12);
            if (pos + 16 + incl > b.limit()) break; // a torn last record
            if (packets == 0) first = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            if (incl == orig && incl >= payload) {
                long seq = b.order() == ByteOrder.BIG_ENDIAN ? b.getLong(pos + 16 + incl - payload)
                        : Long.reverseBytes(b.getLong(pos + 16 + incl - payload));
                if (seq >= 0 && seq < Integer.MAX_VALUE) {
                    seen.set((int) seq);
                    maxSeq = Math.max(maxSeq, seq);
                }
            }
            packets++;
            pos += 16 + incl;
        }
        return new PcapFile(packets, first, seen.cardinality(), maxSeq);
    }
}
