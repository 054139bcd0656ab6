package netwatcher.controller.capture.merge;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a little-endian pcapng stream: one section header, interface blocks with {@code if_name},
 * {@code if_tsresol} 9 and an {@code opt_comment}, and enhanced packet blocks with nanosecond
 * timestamps. The caller buffers the stream. Not thread-safe.
 */
final class PcapngWriter {
    private static final byte[] PAD = new byte[4];
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    private long bytes;

    PcapngWriter(OutputStream out) {
        this.out = out;
    }

    long bytes() { return bytes; }

    void sectionHeader(String application) throws IOException {
        byte[] app = application.getBytes(StandardCharsets.UTF_8);
        int optionBytes = 4 + pad(app.length) + 4;
        ByteBuffer b = ByteBuffer.allocate(28 + optionBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28 + optionBytes).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        option(b, 4, app); // shb_userappl
        b.putInt(0); // opt_endofopt
        b.putInt(28 + optionBytes);
        write(b.array(), 0, b.position());
    }

    void interfaceBlock(int linktype, int snaplen, String name, String comment) throws IOException {
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

    void packet(int interfaceId, long timestampNanos, byte[] data, int offset, int caplen, int origlen) throws IOException {
        int padded = pad(caplen);
        int length = 32 + padded;
        header.clear();
        header.putInt(6).putInt(length).putInt(interfaceId).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos)
                .putInt(caplen).putInt(origlen);
        write(header.array(), 0, 28);
        write(data, offset, caplen);
        if (padded != caplen) write(PAD, 0, padded - caplen);
        header.clear();
        header.putInt(length);
        write(header.array(), 0, 4);
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
