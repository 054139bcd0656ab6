package netwatcher.controller.capture.merge;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a little-endian pcapng stream: one section header, interface blocks with {@code if_name},
 * {@code if_tsresol} 9 and an {@code opt_comment}, and enhanced packet blocks with nanosecond
 * timestamps (with an optional {@code opt_comment}), and interface statistics blocks. The caller buffers the
 * stream. The one pcapng writer of the controller: the merge ({@link PcapMerger}) and the live stream
 * ({@code capture.live}) both write through it. Not thread-safe.
 */
public final class PcapngWriter {
    private static final byte[] PAD = new byte[4];
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    private long bytes;

    public PcapngWriter(OutputStream out) {
        this.out = out;
    }

    public long bytes() { return bytes; }

    public void sectionHeader(String application) throws IOException {
        byte[] app = application.getBytes(StandardCharsets.UTF_8);
        int optionBytes = 4 + pad(app.length) + 4;
        ByteBuffer b = ByteBuffer.allocate(28 + optionBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28 + optionBytes).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        option(b, 4, app); // shb_userappl
        b.putInt(0); // opt_endofopt
        b.putInt(28 + optionBytes);
        write(b.array(), 0, b.position());
    }

    public void interfaceBlock(int linktype, int snaplen, String name, String comment) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] commentBytes = comment == null ? null : comment.getBytes(StandardCharsets.UTF_8);
        int optionBytes = 4 + pad(nameBytes.length) + 4 + 4 + (commentBytes == null ? 0 : 4 + pad(commentBytes.length)) + 4;
        int length = 20 + optionBytes;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1).putInt(length).putShort((short) linktype).putShort((short) 0).putInt(snaplen);
        option(b, 2, nameBytes); // if_name
        option(b, 9, new byte[] {9}); // if_tsresol: nanoseconds
        if (commentBytes != null) option(b, 1, commentBytes); // opt_comment
        b.putInt(0);
        b.putInt(length);
        write(b.array(), 0, b.position());
    }

    public void packet(int interfaceId, long timestampNanos, byte[] data, int offset, int caplen, int origlen) throws IOException {
        packet(new PacketRef(interfaceId, timestampNanos, data, offset, caplen, origlen), null);
    }

    /** One packet to write: the bytes {@code data[offset, offset + caplen)} of a packet of {@code origlen} bytes. */
    public record PacketRef(int interfaceId, long timestampNanos, byte[] data, int offset, int caplen, int origlen) {}

    /** An enhanced packet block, with {@code comment} as its {@code opt_comment} when not null. */
    public void packet(PacketRef p, String comment) throws IOException {
        int caplen = p.caplen();
        byte[] commentBytes = comment == null ? null : comment.getBytes(StandardCharsets.UTF_8);
        int optionBytes = commentBytes == null ? 0 : 4 + pad(commentBytes.length) + 4;
        int padded = pad(caplen);
        int length = 32 + padded + optionBytes;
        int interfaceId = p.interfaceId();
        long timestampNanos = p.timestampNanos();
        int origlen = p.origlen();
        header.clear();
        header.putInt(6).putInt(length).putInt(interfaceId).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos)
                .putInt(caplen).putInt(origlen);
        write(header.array(), 0, 28);
        write(p.data(), p.offset(), caplen);
        if (padded != caplen) write(PAD, 0, padded - caplen);
        if (commentBytes != null) {
            ByteBuffer o = ByteBuffer.allocate(optionBytes).order(ByteOrder.LITTLE_ENDIAN);
            option(o, 1, commentBytes); // opt_comment
            o.putInt(0); // opt_endofopt
            write(o.array(), 0, o.position());
        }
        header.clear();
        header.putInt(length);
        write(header.array(), 0, 4);
    }

    /**
     * An interface statistics block for interface {@code interfaceId} at {@code timestampNanos}: {@code isb_usrdeliv}
     * (packets delivered to this reader), {@code isb_osdrop} (packets dropped before this reader: what it missed) and
     * {@code comment} as {@code opt_comment}.
     */
    public void statistics(int interfaceId, long timestampNanos, long delivered, long dropped, String comment) throws IOException {
        byte[] commentBytes = comment == null ? null : comment.getBytes(StandardCharsets.UTF_8);
        int optionBytes = (commentBytes == null ? 0 : 4 + pad(commentBytes.length)) + 12 + 12 + 4;
        int length = 24 + optionBytes;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(5).putInt(length).putInt(interfaceId).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        if (commentBytes != null) option(b, 1, commentBytes);
        b.putShort((short) 8).putShort((short) 8).putLong(delivered); // isb_usrdeliv
        b.putShort((short) 7).putShort((short) 8).putLong(dropped); // isb_osdrop
        b.putInt(0);
        b.putInt(length);
        write(b.array(), 0, b.position());
    }

    private void write(byte[] data, int offset, int length) throws IOException {
        out.write(data, offset, length);
        bytes += length;
    }

    private static void option(ByteBuffer b, int code, byte[] value) {
        b.putShort((short) code).putShort((short) value.length).put(value);
        for (int i = value.length; i < pad(value.length); i++) b.put((byte) 0);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }
}
