package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.testing.netns.Processes;

/** A snapshot {@link PcapWindow} cut out of several ring files is read by tshark, with exactly the window's datagrams. */
@Tag("external")
class PcapWindowTsharkTest {
    @TempDir Path dir;

    @Test
    void cut_isReadByTsharkWithExactlyTheWindowsDatagrams() throws Exception {
        Path a = PcapWindowTest.seconds(0, 10).write(dir.resolve("a.pcap"));
        Path b = PcapWindowTest.seconds(10, 10).write(dir.resolve("b.pcap"));
        Path out = dir.resolve("snap.cap");
        long t0 = 1_700_000_000L;
        PcapWindow.cut(List.of(a, b), Instant.ofEpochSecond(t0 + 5), Instant.ofEpochSecond(t0 + 15), out);

        var r = Processes.run("tshark", "-r", out.toString(), "-T", "fields", "-e", "udp.dstport");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> ports = r.stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        assertEquals(List.of("1005", "1006", "1007", "1008", "1009", "1010", "1011", "1012", "1013", "1014"), ports);
    }
}
