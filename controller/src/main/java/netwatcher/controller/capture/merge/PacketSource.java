package netwatcher.controller.capture.merge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One input of a merge, read forward once through a fixed buffer: after {@link #advance()} returns
 * true, the current packet is {@link #caplen()} bytes at {@link #dataOffset()} of {@link #array()},
 * valid until the next call. Not thread-safe: the merger owns it.
 */
final class PacketSource implements AutoCloseable {
    private static final int PCAP_MICRO = 0xa1b2c3d4;
    private static final int PCAP_NANO = 0xa1b23c4d;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int IDB = 1, OPB = 2, SPB = 3, EPB = 6;
    /** Largest block accepted: a 256 KiB packet with generous headers and options. */
    private static final int MAX_BLOCK = 16 << 20;
    static final int BUFFER = 256 << 10;

    /** An interface of the current pcapng section (or the one of a classic pcap file). */
    record Interface(int linktype, int snaplen, String name, boolean base2, int exponent, long offsetNanos) {}

    final int position;
    final String label;
    private final ReadableByteChannel channel;
    private ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    private long consumed;
    private boolean eof;
    private boolean pcapng;
    private boolean empty;
    private final List<Interface> interfaces = new ArrayList<>();
    /** Bumped on each new pcapng section: the merger maps (section, local id) to an output interface. */
    int section;

    long timestampNanos;
    private int iface;
    private int dataOffset;
    private int caplen;
    private int origlen;

    PacketSource(int position, String label, ReadableByteChannel channel) throws IOException {
        this.position = position;
        this.label = label;
        this.channel = channel;
        buf.limit(0);
        readHeader();
    }

    byte[] array() { return buf.array(); }
    int dataOffset() { return dataOffset; }
    int caplen() { return caplen; }
    int origlen() { return origlen; }
    int interfaceId() { return iface; }
    Interface interfaceOf(int id) { return interfaces.get(id); }

    private void readHeader() throws IOException {
        if (!fill(4)) {
            empty = true; // a zero-byte file (a host that never wrote its header) has no packets
            return;
        }
        int magicBig = buf.order(ByteOrder.BIG_ENDIAN).getInt(buf.position());
        int magicLittle = Integer.reverseBytes(magicBig);
        if (magicBig == PCAPNG_SHB) {
            pcapng = true;
            return; // the section header is read as the first block
        }
        ByteOrder order;
        boolean nano;
        if (magicBig == PCAP_MICRO || magicBig == PCAP_NANO) {
            order = ByteOrder.BIG_ENDIAN;
            nano = magicBig == PCAP_NANO;
        } else if (magicLittle == PCAP_MICRO || magicLittle == PCAP_NANO) {
            order = ByteOrder.LITTLE_ENDIAN;
            nano = magicLittle == PCAP_NANO;
        } else {
            throw bad("is not a pcap or pcapng file (magic 0x" + Integer.toHexString(magicBig) + ")");
        }
        if (!fill(24)) throw bad("is shorter than the 24-byte pcap file header");
        buf.order(order);
        int p = buf.position();
        int snaplen = buf.getInt(p + 16);
        int linktype = buf.getInt(p + 20) & 0xFFFF;
        skip(24);
        interfaces.add(new Interface(linktype, snaplen, null, false, nano ? 9 : 6, 0));
    }

    /** Moves to the next packet; false at the end of the input (a truncated last record is an end). */
    boolean advance() throws IOException {
        if (empty) return false;
        return pcapng ? nextBlockPacket() : nextRecord();
    }

    private boolean nextRecord() throws IOException {
        if (!fill(16)) return false;
        int p = buf.position();
        long seconds = Integer.toUnsignedLong(buf.getInt(p));
        long fraction = Integer.toUnsignedLong(buf.getInt(p + 4));
        int incl = buf.getInt(p + 8);
        int orig = buf.getInt(p + 12);
        if (incl < 0 || incl > MAX_BLOCK) throw bad("has an implausible record length " + Integer.toUnsignedString(incl) + " at offset " + consumed);
        if (!fill(16 + incl)) return false;
        p = buf.position();
        Interface i = interfaces.get(0);
        timestampNanos = seconds * 1_000_000_000L + (i.exponent() == 9 ? fraction : fraction * 1000);
        iface = 0;
        dataOffset = buf.arrayOffset() + p + 16;
        caplen = incl;
        origlen = orig;
        skip(16 + incl);
        return true;
    }

    private boolean nextBlockPacket() throws IOException {
        while (true) {
            if (!fill(12)) return false;
            int p = buf.position();
            int type = buf.getInt(p);
            if (type == PCAPNG_SHB) {
                readSectionHeader();
                continue;
            }
            int length = buf.getInt(p + 4);
            if (length < 12 || length % 4 != 0 || length > MAX_BLOCK) {
                throw bad("has an implausible block length " + Integer.toUnsignedString(length) + " at offset " + consumed);
            }
            if (!fill(length)) return false;
            p = buf.position();
            switch (type) {
                case IDB -> {
                    readInterface(p, length);
                    skip(length);
                }
                case EPB -> {
                    int id = buf.getInt(p + 8);
                    long units = (Integer.toUnsignedLong(buf.getInt(p + 12)) << 32) | Integer.toUnsignedLong(buf.getInt(p + 16));
                    packet(id, units, p + 28, buf.getInt(p + 20), buf.getInt(p + 24), length - 32);
                    skip(length);
                    return true;
                }
                case OPB -> {
                    int id = buf.getShort(p + 8) & 0xFFFF;
                    long units = (Integer.toUnsignedLong(buf.getInt(p + 12)) << 32) | Integer.toUnsignedLong(buf.getInt(p + 16));
                    packet(id, units, p + 28, buf.getInt(p + 20), buf.getInt(p + 24), length - 32);
                    skip(length);
                    return true;
                }
                case SPB -> {
                    // No timestamp: it keeps the previous packet's time, so it stays in place in the merge.
                    requireInterface(0);
                    int orig = buf.getInt(p + 8);
                    int snap = interfaces.get(0).snaplen();
                    int cap = Math.min(orig, Math.min(snap == 0 ? Integer.MAX_VALUE : snap, length - 16));
                    iface = 0;
                    dataOffset = buf.arrayOffset() + p + 12;
                    caplen = cap;
                    origlen = orig;
                    skip(length);
                    return true;
                }
                default -> skip(length);
            }
        }
    }

    private void packet(int id, long units, int data, int cap, int orig, int room) {
        requireInterface(id);
        if (cap < 0 || cap > room) throw bad("has a packet of " + Integer.toUnsignedString(cap) + " bytes in a smaller block at offset " + consumed);
        Interface i = interfaces.get(id);
        timestampNanos = toNanos(i, units) + i.offsetNanos();
        iface = id;
        dataOffset = buf.arrayOffset() + data;
        caplen = cap;
        origlen = orig;
    }

    private void requireInterface(int id) {
        if (id < 0 || id >= interfaces.size()) {
            throw bad("has a packet of interface " + id + " before that interface's description block, at offset " + consumed);
        }
    }

    static long toNanos(Interface i, long units) {
        if (i.base2()) {
            long whole = units >>> i.exponent();
            long rest = units & ((1L << i.exponent()) - 1);
            return whole * 1_000_000_000L + Math.unsignedMultiplyHigh(rest << (64 - i.exponent()), 1_000_000_000L);
        }
        if (i.exponent() == 9) return units;
        if (i.exponent() < 9) return units * POW10[9 - i.exponent()];
        return units / POW10[Math.min(18, i.exponent() - 9)];
    }

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
    }

    private void readSectionHeader() throws IOException {
        if (!fill(12)) throw bad("ends inside a section header at offset " + consumed);
        int p = buf.position();
        int magic = buf.order(ByteOrder.BIG_ENDIAN).getInt(p + 8);
        if (magic == BYTE_ORDER_MAGIC) {
            buf.order(ByteOrder.BIG_ENDIAN);
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            buf.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            throw bad("has a section header without the byte-order magic at offset " + consumed);
        }
        int length = buf.getInt(p + 4);
        if (length < 28 || length % 4 != 0 || length > MAX_BLOCK) throw bad("has an implausible section header length at offset " + consumed);
        if (!fill(length)) throw bad("ends inside a section header at offset " + consumed);
        skip(length);
        interfaces.clear();
        section++;
    }

    private void readInterface(int p, int length) {
        int linktype = buf.getShort(p + 8) & 0xFFFF;
        int snaplen = buf.getInt(p + 12);
        String name = null;
        int exponent = 6;
        boolean base2 = false;
        long offsetNanos = 0;
        int o = p + 16;
        int end = p + length - 4;
        while (o + 4 <= end) {
            int code = buf.getShort(o) & 0xFFFF;
            int len = buf.getShort(o + 2) & 0xFFFF;
            if (code == 0 || o + 4 + len > end) break;
            int v = o + 4;
            if (code == 2) {
                name = new String(buf.array(), buf.arrayOffset() + v, len, StandardCharsets.UTF_8);
            } else if (code == 9 && len >= 1) {
                int r = buf.get(v) & 0xFF;
                base2 = (r & 0x80) != 0;
                exponent = r & 0x7F;
                if ((base2 && (exponent == 0 || exponent > 63)) || (!base2 && exponent > 18)) {
                    throw bad("has an unsupported if_tsresol 0x" + Integer.toHexString(r) + " at offset " + consumed);
                }
            } else if (code == 14 && len == 8) {
                offsetNanos = buf.getLong(v) * 1_000_000_000L;
            }
            o = v + ((len + 3) & ~3);
        }
        interfaces.add(new Interface(linktype, snaplen, name, base2, exponent, offsetNanos));
    }

    /** Makes {@code n} bytes available at the buffer's position; false when the input ends first. */
    private boolean fill(int n) throws IOException {
        if (buf.remaining() >= n) return true;
        if (n > buf.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2)).order(buf.order());
            bigger.put(buf);
            bigger.flip();
            buf = bigger;
        }
        buf.compact();
        while (buf.position() < n && !eof) {
            if (channel.read(buf) < 0) eof = true;
        }
        buf.flip();
        return buf.remaining() >= n;
    }

    private void skip(int n) {
        buf.position(buf.position() + n);
        consumed += n;
    }

    private PcapFormatException bad(String problem) {
        return new PcapFormatException(label + " " + problem);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
