package netwatcher.controller.capture.live;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import netwatcher.arm.ArmErrorCode;

/**
 * Cuts the bytes an agent sends of one host capture into whole records. Each post carries the file's 24-byte
 * classic pcap header, then the file's bytes from {@code offset} on; the agent starts a file at a record boundary
 * (offset 24, or the end of the last whole record when a watcher arrives mid-file), so a post that does not
 * continue the last one (another file, another offset) drops what was carried and starts afresh. A record cut by
 * the end of a post is carried to the next. Not thread-safe: the hub calls it under the capture's lock.
 */
final class PcapChunks {
    /** Largest record accepted (libpcap's largest snapshot length, 262144, plus room). */
    static final int MAX_RECORD = 1 << 19;
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private final String source;
    private String file;
    private long nextOffset = -1;
    private byte[] carry = new byte[0];

    PcapChunks(String source) {
        this.source = source;
    }

    /** The whole records of one post of {@code file} starting at {@code offset}; {@code body} = file header + bytes. */
    List<LivePacket> accept(String fileName, long offset, byte[] body) {
        if (body.length < FILE_HEADER) throw ArmErrorCode.InvalidRequestContent.exception("A live post starts with the file's 24-byte pcap header.");
        ByteBuffer header = ByteBuffer.wrap(body, 0, FILE_HEADER);
        int magic = header.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ByteOrder order;
        boolean nanos;
        if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = magic == 0xA1B23C4D;
        } else if (Integer.reverseBytes(magic) == 0xA1B2C3D4 || Integer.reverseBytes(magic) == 0xA1B23C4D) {
            order = ByteOrder.BIG_ENDIAN;
            nanos = Integer.reverseBytes(magic) == 0xA1B23C4D;
        } else {
            throw ArmErrorCode.InvalidRequestContent.exception("A live post starts with a classic pcap header; magic "
                    + Integer.toHexString(magic) + " is not one.");
        }
        ByteBuffer h = ByteBuffer.wrap(body).order(order);
        int snaplen = h.getInt(16);
        int linktype = h.getInt(20) & 0x0FFFFFFF;
        if (!fileName.equals(file) || offset != nextOffset) carry = new byte[0];
        byte[] data;
        if (carry.length == 0) {
            data = Arrays.copyOfRange(body, FILE_HEADER, body.length);
        } else {
            data = new byte[carry.length + body.length - FILE_HEADER];
            System.arraycopy(carry, 0, data, 0, carry.length);
            System.arraycopy(body, FILE_HEADER, data, carry.length, body.length - FILE_HEADER);
        }
        file = fileName;
        nextOffset = offset + body.length - FILE_HEADER;
        ByteBuffer b = ByteBuffer.wrap(data).order(order);
        List<LivePacket> out = new ArrayList<>();
        int p = 0;
        while (data.length - p >= RECORD_HEADER) {
            long seconds = b.getInt(p) & 0xFFFFFFFFL;
            long fraction = b.getInt(p + 4) & 0xFFFFFFFFL;
            int caplen = b.getInt(p + 8);
            int origlen = b.getInt(p + 12);
            if (caplen < 0 || caplen > MAX_RECORD) {
                throw ArmErrorCode.InvalidRequestContent.exception("Record at offset " + (offset - carry.length + p)
                        + " of " + fileName + " has caplen " + caplen + ": not a pcap record boundary.");
            }
            if (data.length - p - RECORD_HEADER < caplen) break;
            byte[] packet = Arrays.copyOfRange(data, p + RECORD_HEADER, p + RECORD_HEADER + caplen);
            long ts = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
            out.add(new LivePacket(source, linktype, snaplen, ts, packet, origlen));
            p += RECORD_HEADER + caplen;
        }
        carry = Arrays.copyOfRange(data, p, data.length);
        return out;
    }
}
