package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PcapWindow}: which records a snapshot of a ring holds, byte for byte (tshark reads them in {@link PcapWindowTsharkTest}). */
class PcapWindowTest {
    private static final long T0 = 1_700_000_000L;
    @TempDir Path dir;

    /** A file of {@code count} UDP datagrams, one per second from {@code startSecond} (offset from T0), port = second. */
    static SyntheticPcap seconds(int startSecond, int count) {
        SyntheticPcap p = new SyntheticPcap();
        for (int i = 0; i < count; i++) {
            int s = startSecond + i;
            p.at(T0 + s, 500_000_000L).packet(17, "198.18.0.1", 4000, "198.18.0.2", 1000 + s);
        }
        return p;
    }

    @Test
    void cut_acrossRingFiles_keepsExactlyTheRecordsInsideTheWindow() throws Exception {
        Path a = seconds(0, 10).write(dir.resolve("a.pcap"));
        Path b = seconds(10, 10).write(dir.resolve("b.pcap"));
        Path c = seconds(20, 10).write(dir.resolve("c.pcap"));
        Path out = dir.resolve("snap.cap");

        PcapWindow.Cut cut = PcapWindow.cut(List.of(a, b, c), Instant.ofEpochSecond(T0 + 8), Instant.ofEpochSecond(T0 + 22), out);

        // seconds 8..21 at .5 s: 14 records, from file a (8, 9), b (10..19), c (20, 21)
        assertEquals(14, cut.packets());
        assertEquals(Instant.ofEpochSecond(T0 + 8, 500_000_000L), cut.firstPacket());
        assertEquals(Instant.ofEpochSecond(T0 + 21, 500_000_000L), cut.lastPacket());
        PcapSummary s = PcapFiles.summarize(out);
        assertEquals(14, s.packets());
        assertEquals(Files.size(out), cut.bytes());
        assertEquals(0, s.discardedBytes());
        // byte for byte: header of a, then the records as they were
        byte[] expected = seconds(8, 14).bytes();
        assertTrue(Arrays.equals(expected, Files.readAllBytes(out)), "the snapshot is the records copied verbatim");
        assertFalse(Files.exists(dir.resolve("snap.cap.part")));
    }

    @Test
    void cut_whenTheNewestFileEndsInAPartialRecord_leavesThatRecordOut() throws Exception {
        byte[] whole = seconds(0, 5).bytes();
        Path open = dir.resolve("open.pcap");
        Files.write(open, Arrays.copyOf(whole, whole.length - 7)); // the writer's last record only half flushed
        PcapWindow.Cut cut = PcapWindow.cut(List.of(open), Instant.ofEpochSecond(T0), Instant.ofEpochSecond(T0 + 100),
                dir.resolve("s.cap"));
        assertEquals(4, cut.packets());
        assertEquals(4, PcapFiles.summarize(cut.file()).packets());
    }

    @Test
    void cut_whenARingFileWasRemoved_skipsItAndSaysSo() throws Exception {
        Path gone = dir.resolve("gone.pcap");
        Path b = seconds(10, 3).write(dir.resolve("b.pcap"));
        PcapWindow.Cut cut = PcapWindow.cut(List.of(gone, b), Instant.ofEpochSecond(T0), Instant.ofEpochSecond(T0 + 100),
                dir.resolve("s.cap"));
        assertEquals(3, cut.packets());
        assertEquals(List.of(gone), cut.missing());
    }

    @Test
    void cut_whenNothingIsInTheWindow_writesAHeaderOnlyPcap() throws Exception {
        Path a = seconds(0, 3).write(dir.resolve("a.pcap"));
        PcapWindow.Cut cut = PcapWindow.cut(List.of(a), Instant.ofEpochSecond(T0 + 50), Instant.ofEpochSecond(T0 + 60),
                dir.resolve("s.cap"));
        assertEquals(0, cut.packets());
        assertEquals(24, cut.bytes());
        assertNull(cut.firstPacket());
    }

    @Test
    void cut_whenNoSourceIsReadable_failsAndLeavesNoFile() {
        Path out = dir.resolve("s.cap");
        assertThrows(CaptureException.class, () -> PcapWindow.cut(List.of(dir.resolve("none.pcap")),
                Instant.ofEpochSecond(T0), Instant.ofEpochSecond(T0 + 1), out));
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("s.cap.part")));
    }

    @Test
    void cut_whenRecordsAreLargerThanTheBuffersLeft_copiesThemAcrossRefills() throws Exception {
        SyntheticPcap p = new SyntheticPcap();
        byte[] big = new byte[200_000];
        int n = 30; // ~6 MB: several refills of the 1 MiB buffers, records straddling their ends
        for (int i = 0; i < n; i++) p.at(T0 + i, 0).raw(big, big.length);
        Path a = p.write(dir.resolve("big.pcap"));
        PcapWindow.Cut cut = PcapWindow.cut(List.of(a), Instant.ofEpochSecond(T0 + 5), Instant.ofEpochSecond(T0 + 24),
                dir.resolve("s.cap"));
        assertEquals(20, cut.packets());
        assertEquals(24 + 20L * (16 + big.length), Files.size(cut.file()));
        assertEquals(20, PcapFiles.summarize(cut.file()).packets());
    }
}
