package netwatcher.agent.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small Ethernet pcap files (nanosecond, little-endian) with hand-made IPv4/IPv6 TCP/UDP packets. */
final class SyntheticPcap {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long seconds = 1_700_000_000L;
    private long nanos;

    SyntheticPcap() {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(1);
        out.writeBytes(header.array());
    }

    /** Appends one packet; {@code protocol} 6 (TCP) or 17 (UDP). */
    SyntheticPcap packet(int protocol, String src, int srcPort, String dst, int dstPort) {
        try {
            InetAddress s = InetAddress.getByName(src);
            InetAddress d = InetAddress.getByName(dst);
            int l4 = protocol == 6 ? 20 : 8;
            ByteBuffer frame;
            if (s instanceof Inet4Address) {
                frame = ByteBuffer.allocate(14 + 20 + l4);
                ethernet(frame, 0x0800);
                frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4)).putShort((short) 1).putShort((short) 0)
                        .put((byte) 64).put((byte) protocol).putShort((short) 0).put(s.getAddress()).put(d.getAddress());
            } else {
                frame = ByteBuffer.allocate(14 + 40 + l4);
                ethernet(frame, 0x86dd);
                frame.putInt(0x60000000).putShort((short) l4).put((byte) protocol).put((byte) 64)
                        .put(s.getAddress()).put(d.getAddress());
            }
            frame.putShort((short) srcPort).putShort((short) dstPort);
            if (protocol == 6) {
                frame.putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02).putShort((short) 1024).putInt(0);
            } else {
                frame.putShort((short) 8).putShort((short) 0);
            }
            return raw(frame.array(), frame.array().length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void ethernet(ByteBuffer frame, int type) {
        frame.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) type);
    }

    /** Appends a record holding {@code data}, claiming original length {@code len}. */
    SyntheticPcap raw(byte[] data, int len) {
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt((int) seconds).putInt((int) nanos).putInt(data.length).putInt(len);
        out.writeBytes(record.array());
        out.writeBytes(data);
        nanos += 1_000;
        return this;
    }

    /** The next record's timestamp (later records follow it 1 µs apart). */
    SyntheticPcap at(long epochSeconds, long nanosOfSecond) {
        seconds = epochSeconds;
        nanos = nanosOfSecond;
        return this;
    }

    long seconds() { return seconds; }

    byte[] bytes() { return out.toByteArray(); }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
