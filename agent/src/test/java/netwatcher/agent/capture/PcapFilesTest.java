package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapFilesTest {
    @TempDir Path dir;

    private SyntheticPcap threePackets() {
        return new SyntheticPcap()
                .packet(6, "198.18.0.1", 5555, "198.18.0.2", 80)
                .packet(17, "198.18.0.2", 53, "198.18.0.1", 4000)
                .packet(6, "2001:2::1", 5555, "2001:2::2", 443);
    }

    @Test
    void summarize_whenCompleteFile_countsRecordsAndReadsHeader() throws Exception {
        SyntheticPcap pcap = threePackets();
        Path file = pcap.write(dir.resolve("ok.pcap"));
        PcapSummary summary = PcapFiles.summarize(file);
        assertEquals(new PcapSummary(1, 262144, true, 3, Files.size(file),
                Instant.ofEpochSecond(pcap.seconds(), 0), Instant.ofEpochSecond(pcap.seconds(), 2000), 0), summary);
    }

    @Test
    void summarize_whenRecordsStraddleTheMappingWindows_countsEveryRecordAndTheLastTimestamp() throws Exception {
        // 40,000 records of 16 + 54..95 bytes (about 3 MiB): many records cross the walker's 1 MiB windows
        SyntheticPcap pcap = new SyntheticPcap();
        for (int i = 0; i < 40_000; i++) pcap.raw(new byte[54 + i % 42], 54 + i % 42);
        Path file = pcap.write(dir.resolve("big.pcap"));
        assertTrue(Files.size(file) > 3 * (1 << 20) - (1 << 19), "file spans several windows: " + Files.size(file));

        PcapSummary summary = PcapFiles.summarize(file);

        assertEquals(40_000, summary.packets());
        assertEquals(Files.size(file), summary.bytes());
        assertEquals(Instant.ofEpochSecond(pcap.seconds(), 0), summary.firstPacket());
        assertEquals(Instant.ofEpochSecond(pcap.seconds(), 39_999 * 1000L), summary.lastPacket());
        byte[] cut = Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 30);
        Files.write(file, cut);
        PcapSummary repaired = PcapFiles.finalizeAfterCrash(file);
        assertEquals(39_999, repaired.packets());
    }

    @Test
    void finalizeAfterCrash_whenFileIsComplete_leavesItUnchanged() throws Exception {
        Path file = threePackets().write(dir.resolve("intact.pcap"));
        byte[] before = Files.readAllBytes(file);
        assertEquals(0, PcapFiles.finalizeAfterCrash(file).discardedBytes());
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)));
    }

    @Test
    void summarize_whenNotPcap_throwsNamingTheFile() throws Exception {
        Path file = dir.resolve("text.pcap");
        Files.writeString(file, "this is not a capture file at all");
        CaptureException e = assertThrows(CaptureException.class, () -> PcapFiles.summarize(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
