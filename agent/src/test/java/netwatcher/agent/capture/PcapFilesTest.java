package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.testing.netns.Processes;

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
    void finalizeAfterCrash_whenLastRecordIsCut_truncatesToLastCompleteRecordAndTsharkReadsIt() throws Exception {
        byte[] complete = threePackets().bytes();
        byte[] partial = threePackets().packet(6, "198.18.0.9", 1, "198.18.0.8", 2).bytes();
        byte[] crashed = Arrays.copyOf(partial, complete.length + 16 + 20); // header and part of the 4th frame
        Path file = dir.resolve("crashed.pcap");
        Files.write(file, crashed);
        assertNotEquals(0, Processes.run("tshark", "-r", file.toString()).exitCode(), "tshark rejects the cut file");

        PcapSummary summary = PcapFiles.finalizeAfterCrash(file);

        assertEquals(3, summary.packets());
        assertEquals(36, summary.discardedBytes());
        assertEquals(complete.length, Files.size(file));
        assertEquals(3, Processes.run("tshark", "-r", file.toString()).orThrow("tshark").stdout().lines().count());
    }

    @Test
    void finalizeAfterCrash_whenOnlyPartOfARecordHeader_truncates() throws Exception {
        byte[] complete = threePackets().bytes();
        Path file = dir.resolve("cut-header.pcap");
        Files.write(file, Arrays.copyOf(complete, complete.length + 7)); // 7 zero bytes: a header fragment
        PcapSummary summary = PcapFiles.finalizeAfterCrash(file);
        assertEquals(3, summary.packets());
        assertEquals(7, summary.discardedBytes());
        Processes.run("tshark", "-r", file.toString()).orThrow("tshark");
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

    @Test
    void summarize_whenOnlyHeader_reportsNoPackets() throws Exception {
        Path file = new SyntheticPcap().write(dir.resolve("empty.pcap"));
        PcapSummary summary = PcapFiles.summarize(file);
        assertEquals(0, summary.packets());
        assertEquals(null, summary.firstPacket());
        Processes.run("tshark", "-r", file.toString()).orThrow("tshark");
    }
}
