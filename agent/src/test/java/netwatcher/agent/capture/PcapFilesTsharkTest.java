package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.testing.netns.Processes;

/**
 * Files that {@link PcapFiles} repaired or summarised are read back by tshark, the reader users
 * open them with (the byte-level rules are in {@link PcapFilesTest}). Runs tshark, so it is in the
 * full lane only ({@code external}).
 */
@Tag("external")
class PcapFilesTsharkTest {
    @TempDir Path dir;

    private SyntheticPcap threePackets() {
        return new SyntheticPcap()
                .packet(6, "198.18.0.1", 5555, "198.18.0.2", 80)
                .packet(17, "198.18.0.2", 53, "198.18.0.1", 4000)
                .packet(6, "2001:2::1", 5555, "2001:2::2", 443);
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
    void summarize_whenOnlyHeader_reportsNoPackets() throws Exception {
        Path file = new SyntheticPcap().write(dir.resolve("empty.pcap"));
        PcapSummary summary = PcapFiles.summarize(file);
        assertEquals(0, summary.packets());
        assertEquals(null, summary.firstPacket());
        Processes.run("tshark", "-r", file.toString()).orThrow("tshark");
    }
}
