package netwatcher.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigTest {
    @TempDir Path tmp;

    @Test
    void parse_whenFileAndFlags_flagsOverrideFileAndDefaultsFillTheRest() throws Exception {
        Path file = tmp.resolve("agent.conf");
        Files.writeString(file, "controller-url=https://198.18.0.1:8443\nvm-name=fromfile\nignore-interfaces=mgmt0, eth9\n"
                + "report-interval=5s\n");
        AgentConfig c = AgentConfig.parse(List.of("--config", file.toString(), "--vm-name=app", "--report-interval", "2s"));
        assertEquals("app", c.vmName());
        assertEquals(Duration.ofSeconds(2), c.reportInterval());
        assertEquals(Set.of("mgmt0", "eth9"), c.ignoredInterfaces());
        assertEquals(Path.of("/var/lib/netwatcher-agent"), c.stateDir());
        assertEquals(Path.of("/var/captures"), c.capturesRoot());
        assertEquals(32L << 20, c.kernelBufferBytes());
        assertEquals(Duration.ofMinutes(30), c.uploadRetryLimit());
        assertEquals(AgentConfig.DiskFloor.AUTO, c.diskFloor());
    }

    @Test
    void reportInterval_defaultsToOneSecond_theConsolesLiveBar() {
        // counters are reported only while a capture runs, so an idle agent costs nothing more for it (BENCHMARKS.md §10)
        assertEquals(Duration.ofSeconds(1), AgentConfig.parse(List.of("--controller-url", "https://nw.example:8443")).reportInterval());
    }

    @Test
    void controllerUrl_takesOneBalancedName_orAList_inOrder() {
        AgentConfig one = AgentConfig.parse(List.of("--controller-url", "https://nw.example:8443/"));
        assertEquals(List.of(java.net.URI.create("https://nw.example:8443")), one.controllerUrls());
        assertEquals(java.net.URI.create("https://nw.example:8443"), one.controllerUrl());
        AgentConfig three = AgentConfig.parse(List.of("--controller-url",
                "https://nw1.example:8443, https://nw2.example:8443 https://198.18.0.3:8443/"));
        assertEquals(List.of(java.net.URI.create("https://nw1.example:8443"), java.net.URI.create("https://nw2.example:8443"),
                java.net.URI.create("https://198.18.0.3:8443")), three.controllerUrls());
        assertTrue(three.describe().contains("controller-url=https://nw1.example:8443,https://nw2.example:8443,https://198.18.0.3:8443"));
        var plain = assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.parse(List.of("--controller-url", "https://nw1.example:8443,http://nw2.example:8443")));
        assertTrue(plain.getMessage().contains("controller-url"), plain.getMessage());
        var twice = assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.parse(List.of("--controller-url", "https://nw1.example:8443,https://nw1.example:8443")));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    }

    @Test
    void diskFloor_auto_isTheSmallerOf512MiBAnd5Percent() {
        assertEquals(512L << 20, AgentConfig.DiskFloor.AUTO.bytesFor(100L << 30));
        assertEquals((long) (0.05 * (1L << 30)), AgentConfig.DiskFloor.AUTO.bytesFor(1L << 30));
        assertEquals(1L << 30, AgentConfig.DiskFloor.parse("1GiB").bytesFor(100L << 30));
        assertEquals(3L << 30, AgentConfig.DiskFloor.parse("3%").bytesFor(100L << 30));
    }

    @Test
    void parse_whenValueBad_errorNamesTheSetting() {
        var e1 = assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.parse(List.of("--controller-url", "http://198.18.0.1:8080")));
        assertTrue(e1.getMessage().contains("controller-url"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.parse(List.of("--controller-url", "https://c", "--report-interval", "soon")));
        assertTrue(e2.getMessage().contains("report-interval"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.parse(List.of("--controller-url", "https://c", "--kernel-buffer", "lots")));
        assertTrue(e3.getMessage().contains("kernel-buffer"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse(List.of("--colour", "red")));
        assertTrue(e4.getMessage().contains("--colour"), e4.getMessage());
        var e5 = assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse(List.of("--vm-name", "x")));
        assertTrue(e5.getMessage().contains("controller-url"), e5.getMessage());
    }

    @Test
    void logFormat_fromTheFileOrAFlag_andAWrongValueNamesTheSetting() throws Exception {
        Path file = tmp.resolve("agent.conf");
        Files.writeString(file, "controller-url=https://198.18.0.1:8443\nlog-format=json\n");
        assertEquals(netwatcher.logging.LogFormat.JSON, AgentConfig.parse(List.of("--config", file.toString())).logFormat());
        assertEquals(netwatcher.logging.LogFormat.TEXT,
                AgentConfig.parse(List.of("--config", file.toString(), "--log-format", "text")).logFormat());
        var e = assertThrows(IllegalArgumentException.class,
                () -> AgentConfig.parse(List.of("--controller-url", "https://c", "--log-format", "xml")));
        assertEquals("agent setting log-format must be one of text, json; was 'xml'", e.getMessage());
    }

    @Test
    void requireEnrollmentSettings_whenTokenMissing_namesIt() {
        AgentConfig c = AgentConfig.parse(List.of("--controller-url", "https://c", "--vm-name", "app"));
        var e = assertThrows(IllegalArgumentException.class, c::requireEnrollmentSettings);
        assertTrue(e.getMessage().contains("enrollment-token"), e.getMessage());
    }
}
