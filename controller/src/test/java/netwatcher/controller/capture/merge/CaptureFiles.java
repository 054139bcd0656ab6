package netwatcher.controller.capture.merge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds small pcap and pcapng files for the merger's tests, and reads a merged pcapng back. */
final class CaptureFiles {
    private CaptureFiles() {}

    /** A packet as a test sees it: when, on which output interface, and its bytes. */
    record Packet(long nanos, int iface, byte[] data, int origlen) {
        Packet(long nanos, byte[] data) { this(nanos, 0, data, data.length); }
    }

    static byte[] payload(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (seed * 31 + i);
        return b;
    }

    static byte[] pcap(ByteOrder order, boolean nano, int linktype, int snaplen, List<Packet> packets) {
        ByteBuffer b = ByteBuffer.allocate(24 + packets.stream().mapToInt(p -> 16 + p.data().length).sum()).order(order);
        b.putInt(nano ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(linktype);
        for (Packet p : packets) {
            long seconds = p.nanos() / 1_000_000_000L;
            long fraction = p.nanos() % 1_000_000_000L;
            b.putInt((int) seconds).putInt((int) (nano ? fraction : fraction / 1000)).putInt(p.data().length).putInt(p.origlen()).put(p.data());
        }
        return b.array();
    }

    /** A pcapng section: interfaces given as (linktype, snaplen, name, tsresol byte); packets use {@code iface}. */
    record Iface(int linktype, int snaplen, String name, int tsresol) {}

    static byte[] pcapng(ByteOrder order, List<Iface> interfaces, List<Packet> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        block(out, order, 0x0A0D0D0A, b -> b.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1));
        for (Iface i : interfaces) {
            block(out, order, 1, b -> {
                b.putShort((short) i.linktype()).putShort((short) 0).putInt(i.snaplen());
                byte[] name = i.name().getBytes(StandardCharsets.UTF_8);
                b.putShort((short) 2).putShort((short) name.length).put(name);
                while (b.position() % 4 != 0) b.put((byte) 0);
                b.putShort((short) 9).putShort((short) 1).put((byte) i.tsresol()).put(new byte[3]);
                b.putInt(0);
            });
        }
        // a block the merger does not know is skipped
        block(out, order, 0x0BAD, b -> b.putInt(42));
        for (Packet p : packets) {
            Iface i = interfaces.get(p.iface());
            long units = i.tsresol() == 9 ? p.nanos() : i.tsresol() == 6 ? p.nanos() / 1000 : p.nanos() / 1_000_000;
            block(out, order, 6, b -> {
                b.putInt(p.iface()).putInt((int) (units >>> 32)).putInt((int) units).putInt(p.data().length).putInt(p.origlen()).put(p.data());
                while (b.position() % 4 != 0) b.put((byte) 0);
            });
        }
        return out.toByteArray();
    }

    private static void block(ByteArrayOutputStream out, ByteOrder order, int type, java.util.function.Consumer<ByteBuffer> body) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(order);
        b.putInt(type).putInt(0);
        body.accept(b);
        int length = b.position() + 4;
        b.putInt(length);
        b.putInt(4, length);
        out.write(b.array(), 0, length);
    }

    static MergeInput input(String vm, String iface, Path file) {
        return new MergeInput(vm, iface, "host " + vm, () -> Files.newByteChannel(file));
    }

    static MergeInput input(String vm, String iface, byte[] bytes) {
        return new MergeInput(vm, iface, "host " + vm, () -> Channels.newChannel(new java.io.ByteArrayInputStream(bytes)));
    }

    /** A merged file read back: its interfaces (name, linktype, snaplen, comment) and packets. */
    record Merged(List<String> interfaceNames, List<Integer> linktypes, List<Integer> snaplens, List<String> comments, List<Packet> packets) {}

    static Merged read(byte[] pcapng) throws IOException {
        PacketSource s = new PacketSource(0, "merged", Channels.newChannel(new java.io.ByteArrayInputStream(pcapng)));
        List<Packet> packets = new ArrayList<>();
        while (s.advance()) {
            byte[] data = java.util.Arrays.copyOfRange(s.array(), s.dataOffset(), s.dataOffset() + s.caplen());
            packets.add(new Packet(s.timestampNanos, s.interfaceId(), data, s.origlen()));
        }
        // interfaces and their comments, parsed independently of PacketSource
        List<String> names = new ArrayList<>();
        List<Integer> linktypes = new ArrayList<>();
        List<Integer> snaplens = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(pcapng).order(ByteOrder.LITTLE_ENDIAN);
        int p = 0;
        while (p < pcapng.length) {
            int type = b.getInt(p);
            int length = b.getInt(p + 4);
            if (type == 1) {
                linktypes.add(b.getShort(p + 8) & 0xFFFF);
                snaplens.add(b.getInt(p + 12));
                int o = p + 16;
                while (true) {
                    int code = b.getShort(o) & 0xFFFF;
                    int len = b.getShort(o + 2) & 0xFFFF;
                    if (code == 0) break;
                    String value = new String(pcapng, o + 4, len, StandardCharsets.UTF_8);
                    if (code == 2) names.add(value);
                    if (code == 1) comments.add(value);
                    o += 4 + ((len + 3) & ~3);
                }
            }
            p += length;
        }
        return new Merged(names, linktypes, snaplens, comments, packets);
    }
}
