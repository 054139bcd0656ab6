package netwatcher.controller.capture.merge;

import static netwatcher.controller.capture.merge.CaptureFiles.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import netwatcher.controller.capture.merge.CaptureFiles.Iface;
import netwatcher.controller.capture.merge.CaptureFiles.Merged;
import netwatcher.controller.capture.merge.CaptureFiles.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapMergerTest {
    private static final long T0 = 1_764_000_000_000_000_000L;
    private static final int ETHERNET = 1, RAW = 101, LINUX_SLL = 113;

    @TempDir Path dir;

    private static Merged merge(List<MergeInput> inputs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MergeResult result = PcapMerger.merge(inputs, out);
        Merged merged = CaptureFiles.read(out.toByteArray());
        assertEquals(out.size(), result.bytes());
        assertEquals(merged.packets().size(), result.packets());
        assertEquals(merged.interfaceNames().size(), result.interfaces());
        return merged;
    }

    @Test
    void merge_twoPcapFiles_ordersPacketsByTimeAcrossHosts() throws IOException {
        byte[] db1 = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, ETHERNET, 65535, List.of(
                new Packet(T0 + 1_000, payload(1, 60)), new Packet(T0 + 5_000, payload(2, 70)), new Packet(T0 + 9_000, payload(3, 80))));
        byte[] db2 = CaptureFiles.pcap(ByteOrder.BIG_ENDIAN, true, ETHERNET, 65535, List.of(
                new Packet(T0 + 2_001, payload(4, 90)), new Packet(T0 + 7_002, payload(5, 100))));
        Path file = dir.resolve("db1.pcap");
        Files.write(file, db1);

        Merged m = merge(List.of(CaptureFiles.input("db1", "eth0", file), CaptureFiles.input("db2", "eth0", db2)));

        assertEquals(List.of("db1/eth0", "db2/eth0"), m.interfaceNames());
        assertEquals(List.of("host db1", "host db2"), m.comments());
        assertEquals(List.of(T0 + 1_000, T0 + 2_001, T0 + 5_000, T0 + 7_002, T0 + 9_000), m.packets().stream().map(Packet::nanos).toList());
        assertEquals(List.of(0, 1, 0, 1, 0), m.packets().stream().map(Packet::iface).toList());
        assertArrayEquals(payload(4, 90), m.packets().get(1).data());
        assertArrayEquals(payload(3, 80), m.packets().get(4).data());
    }

    @Test
    void merge_consecutiveRingFilesOfOneHost_shareOneInterfaceBlock() throws IOException {
        byte[] ring1 = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, ETHERNET, 65535, List.of(
                new Packet(T0 + 1_000, payload(1, 60)), new Packet(T0 + 3_000, payload(2, 60))));
        byte[] ring2 = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, ETHERNET, 65535, List.of(new Packet(T0 + 5_000, payload(3, 60))));
        byte[] other = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, ETHERNET, 65535, List.of(new Packet(T0 + 4_000, payload(4, 60))));

        Merged m = merge(List.of(CaptureFiles.input("db", "eth0", ring1), CaptureFiles.input("db", "eth0", ring2),
                CaptureFiles.input("db2", "eth0", other)));

        assertEquals(List.of("db/eth0", "db2/eth0"), m.interfaceNames(), "one block per host interface, not per file");
        assertEquals(List.of(T0 + 1_000, T0 + 3_000, T0 + 4_000, T0 + 5_000), m.packets().stream().map(Packet::nanos).toList());
        assertEquals(List.of(0, 0, 1, 0), m.packets().stream().map(Packet::iface).toList());
    }

    @Test
    void merge_pcapngWithSeveralInterfacesAndResolutions_keepsEachInterfaceAndItsLinkType() throws IOException {
        byte[] web = CaptureFiles.pcapng(ByteOrder.BIG_ENDIAN,
                List.of(new Iface(ETHERNET, 262144, "eth0", 6), new Iface(RAW, 1500, "tun0", 9)),
                List.of(new Packet(T0 + 3_000, 1, payload(7, 40), 40), new Packet(T0 + 4_000, 0, payload(8, 50), 1400)));
        byte[] db = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, LINUX_SLL, 96, List.of(new Packet(T0 + 3_500, payload(9, 96))));

        Merged m = merge(List.of(CaptureFiles.input("web", null, web), CaptureFiles.input("db", "eth1", db)));

        assertEquals(List.of("web/tun0", "db/eth1", "web/eth0"), m.interfaceNames());
        assertEquals(List.of(RAW, LINUX_SLL, ETHERNET), m.linktypes());
        assertEquals(List.of(1500, 96, 262144), m.snaplens());
        assertEquals(List.of(T0 + 3_000, T0 + 3_500, T0 + 4_000), m.packets().stream().map(Packet::nanos).toList());
        assertEquals(1400, m.packets().get(2).origlen(), "the original length survives a snapped packet");
    }

    @Test
    void merge_equalTimestamps_keepInputOrderThenFileOrder() throws IOException {
        byte[] a = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, ETHERNET, 65535,
                List.of(new Packet(T0, payload(1, 10)), new Packet(T0, payload(2, 10))));
        byte[] b = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, ETHERNET, 65535,
                List.of(new Packet(T0, payload(3, 10)), new Packet(T0, payload(4, 10))));

        Merged m = merge(List.of(CaptureFiles.input("a", "eth0", a), CaptureFiles.input("b", "eth0", b)));

        List<byte[]> expected = List.of(payload(1, 10), payload(2, 10), payload(3, 10), payload(4, 10));
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), m.packets().get(i).data(), "packet " + i);
    }

    @Test
    void merge_emptyInputs_contributeNothing() throws IOException {
        byte[] headerOnly = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, ETHERNET, 65535, List.of());
        byte[] zeroBytes = new byte[0];
        byte[] one = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, ETHERNET, 65535, List.of(new Packet(T0, payload(1, 20))));

        Merged m = merge(List.of(CaptureFiles.input("a", "eth0", headerOnly), CaptureFiles.input("b", "eth0", zeroBytes),
                CaptureFiles.input("c", "eth0", one)));

        assertEquals(List.of("c/eth0"), m.interfaceNames());
        assertEquals(1, m.packets().size());
        assertEquals(0, merge(List.of(CaptureFiles.input("a", "eth0", headerOnly))).packets().size());
    }

    @Test
    void merge_truncatedLastRecord_endsThatInput() throws IOException {
        byte[] full = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, ETHERNET, 65535,
                List.of(new Packet(T0, payload(1, 100)), new Packet(T0 + 1000, payload(2, 100))));
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 30);

        assertEquals(1, merge(List.of(CaptureFiles.input("a", "eth0", cut))).packets().size());
    }

    @Test
    void merge_packetsLargerThanTheReadBuffer_areCopiedWhole() throws IOException {
        List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < 5; i++) packets.add(new Packet(T0 + i, payload(i, PacketSource.BUFFER + 1000 * i)));
        byte[] big = CaptureFiles.pcap(ByteOrder.LITTLE_ENDIAN, true, ETHERNET, 1 << 20, packets);

        Merged m = merge(List.of(CaptureFiles.input("a", "eth0", big)));

        for (int i = 0; i < 5; i++) assertArrayEquals(packets.get(i).data(), m.packets().get(i).data());
    }

    @Test
    void merge_notACaptureFile_namesTheInput() {
        byte[] text = "hello, not a capture".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        PcapFormatException e = assertThrows(PcapFormatException.class,
                () -> PcapMerger.merge(List.of(CaptureFiles.input("db9", "eth0", text)), new ByteArrayOutputStream()));

        assertTrue(e.getMessage().contains("db9"), e.getMessage());
    }

    @Test
    void toNanos_binaryResolution_convertsFractions() {
        PacketSource.Interface base2 = new PacketSource.Interface(1, 0, null, true, 20, 0);
        assertEquals(3_500_000_000L, PacketSource.toNanos(base2, (3L << 20) | (1L << 19)));
        PacketSource.Interface millis = new PacketSource.Interface(1, 0, null, false, 3, 0);
        assertEquals(7_000_000L, PacketSource.toNanos(millis, 7));
    }
}
