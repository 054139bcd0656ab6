package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureOptionsTest {
    private static final Path OUT = Path.of("/var/captures/pc.cap");

    @Test
    void of_appliesDocumentedDefaults() {
        CaptureOptions o = CaptureOptions.of(OUT);
        assertEquals(List.of(), o.interfaces());
        assertEquals("", o.bpfFilter());
        assertEquals(262_144, o.snapLength());
        assertEquals(32 << 20, o.bufferBytes());
        assertEquals(0, o.byteLimit());
        assertEquals(Duration.ZERO, o.timeLimit());
        assertEquals(Duration.ofSeconds(1), o.flushInterval());
    }

    private static void assertRefused(String field, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().startsWith(field), e.getMessage());
    }

    @Test
    void constructor_whenValuesOutOfRange_refusesNamingTheSetting() {
        CaptureOptions o = CaptureOptions.of(OUT);
        assertRefused("snapLength", () -> o.withSnapLength(-1));
        assertRefused("snapLength", () -> o.withSnapLength(262_145));
        assertRefused("bufferBytes", () -> o.withBufferBytes(4096));
        assertRefused("byteLimit", () -> o.withByteLimit(-5));
        assertRefused("byteLimit", () -> o.withByteLimit(10));
        assertRefused("timeLimit", () -> o.withTimeLimit(Duration.ofSeconds(-1)));
        assertRefused("output", () -> o.withOutput(Path.of("relative.cap")));
        assertRefused("flushInterval", () -> o.withFlushInterval(Duration.ZERO));
        assertRefused("interfaces", () -> o.withInterfaces(List.of("eth0; rm -rf /")));
        assertRefused("interfaces", () -> o.withInterfaces(List.of("eth0", "eth0")));
        assertRefused("interfaces", () -> o.withInterfaces(List.of("a-name-longer-than-15")));
    }

    @TempDir Path dir;

    @Test
    void capabilityProblem_whenCapNetRawMissing_explains() throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapEff:\t0000000000001000\n"); // CAP_NET_ADMIN only
        Optional<String> problem = CaptureEngine.capabilityProblem(status);
        assertTrue(problem.orElseThrow().contains("CAP_NET_RAW missing"), problem.get());
        assertTrue(problem.get().contains("CAP_NET_ADMIN present"), problem.get());
    }

    @Test
    void capabilityProblem_whenCapNetRawPresent_isEmpty() throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapEff:\t0000000000002000\n");
        assertEquals(Optional.empty(), CaptureEngine.capabilityProblem(status));
    }
}
