package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The capture verbs against a real controller over HTTPS, with a protocol-level agent that uploads a real pcap. */
@Tag("external")
@Timeout(120)
class PacketCaptureCommandsTest {
    static TestController c;
    static ScriptedAgent agent;
    static Path config;
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] PCAP = Pcaps.udp(40, 200);

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        agent = new ScriptedAgent(c, "lab", "vm1", "westeurope", PCAP);
        config = tmp.resolve("config.json");
        CliLogin.login(config, c);
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        c.close();
    }

    static Cli.Run nw(String... args) {
        return Cli.withConfig(config, args);
    }

    static JsonNode json(Cli.Run r) throws Exception {
        assertEquals(0, r.exit(), r.toString());
        return JSON.readTree(r.out());
    }

    @Test
    void create_ringOptions_sendContinuousCaptureAndCaptureSettings_withTheHostPathAsLocalPath() throws Exception {
        JsonNode created = json(nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", "vm1", "-n", "cliring",
                "--file-path", "/var/captures/cliring.cap", "--continuous", "--file-count", "3", "--file-size", "8192",
                "--session-time-limit", "600"));
        JsonNode p = created.path("properties");
        assertEquals("Succeeded", p.path("provisioningState").asText(), created.toString());
        assertTrue(p.path("continuousCapture").asBoolean(false), p.toString());
        assertEquals(3, p.path("captureSettings").path("fileCount").asInt(), p.toString());
        assertEquals(8192, p.path("captureSettings").path("fileSizeInBytes").asLong(), p.toString());
        assertEquals(600, p.path("captureSettings").path("sessionTimeLimitInSeconds").asLong(), p.toString());
        assertEquals("/var/captures/cliring.cap", p.path("storageLocation").path("localPath").asText(), p.toString());
        assertTrue(p.path("storageLocation").path("filePath").isMissingNode(), p.toString());
        JsonNode shown = json(nw("watcher", "packet-capture", "show", "-n", "cliring"));
        assertEquals("cliring", shown.path("name").asText(), shown.toString());
        var refused = nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", "vm1", "-n", "cliring0",
                "--file-path", "/var/captures/cliring0.cap", "--continuous", "false", "--file-count", "0");
        assertTrue(refused.exit() != 0 && refused.err().contains("properties.captureSettings.fileCount"), refused.toString());
        assertEquals(0, nw("watcher", "packet-capture", "delete", "-n", "cliring").exit());
    }

    @Test
    void snapshot_lastAndFromTo_printTheStoredSnapshot_showListsThem_andBadOptionsAreUsageErrors() throws Exception {
        JsonNode created = json(nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", "vm1", "-n", "clisnap",
                "--storage-account", "netwatcherlocal", "--file-path", "/var/captures/clisnap.cap", "--continuous",
                "--file-count", "3", "--file-size", "8192"));
        assertEquals("Succeeded", created.path("properties").path("provisioningState").asText(), created.toString());
        JsonNode snap = json(nw("watcher", "packet-capture", "snapshot", "-n", "clisnap", "--last", "30s"));
        assertEquals("Succeeded", snap.path("state").asText(), snap.toString());
        assertEquals(30, snap.path("lastSeconds").asLong(), snap.toString());
        String storagePath = snap.path("storagePath").asText();
        assertTrue(storagePath.endsWith("/snapshots/" + snap.path("id").asText() + ".cap"), storagePath);
        // the agent's upload went to the local account, confined to the capture's snapshots folder
        var stored = c.send("GET", storagePath, null);
        assertEquals(200, stored.status(), storagePath);
        assertEquals(PCAP.length, snap.path("bytes").asLong(), snap.toString());
        assertTrue(!stored.body().isEmpty(), "the stored snapshot has the agent's bytes");

        java.time.Instant to = java.time.Instant.now().minusSeconds(1);
        JsonNode second = json(nw("watcher", "packet-capture", "snapshot", "-n", "clisnap", "--from", to.minusSeconds(60).toString(),
                "--to", to.toString()));
        assertEquals("Succeeded", second.path("state").asText(), second.toString());
        JsonNode shown = json(nw("watcher", "packet-capture", "show", "-n", "clisnap"));
        JsonNode listed = shown.path("properties").path("snapshots");
        assertEquals(2, listed.size(), shown.toString());
        assertEquals(snap.path("id").asText(), listed.get(0).path("id").asText());

        var both = nw("watcher", "packet-capture", "snapshot", "-n", "clisnap", "--last", "30s", "--from", to.toString());
        assertEquals(ExitCodes.USAGE, both.exit(), both.toString());
        var badDuration = nw("watcher", "packet-capture", "snapshot", "-n", "clisnap", "--last", "soon");
        assertEquals(ExitCodes.USAGE, badDuration.exit(), badDuration.toString());
        var refused = nw("watcher", "packet-capture", "snapshot", "-n", "clisnap", "--last", "0");
        assertTrue(refused.exit() != 0 && refused.err().contains("lastSeconds"), refused.toString());
        assertEquals(2, json(nw("watcher", "packet-capture", "show", "-n", "clisnap")).path("properties").path("snapshots").size(),
                "a refused snapshot adds nothing");
        assertEquals(0, nw("watcher", "packet-capture", "delete", "-n", "clisnap").exit());
    }

    @Test
    void lifecycle_createStatusStopDownloadDelete_fileReadsInTshark() throws Exception {
        JsonNode created = json(nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", "vm1", "-n", "life",
                "--storage-account", "netwatcherlocal", "--capture-size", "128", "--time-limit", "600",
                "--filters", "[{\"protocol\":\"UDP\",\"remotePort\":\"9999\"}]"));
        assertEquals("Succeeded", created.path("properties").path("provisioningState").asText(), created.toString());
        assertEquals(128, created.path("properties").path("bytesToCapturePerPacket").asInt());
        assertTrue(created.path("properties").path("target").asText().endsWith("/virtualMachines/vm1"));

        JsonNode running = json(nw("watcher", "packet-capture", "show-status", "-l", "westeurope", "-n", "life"));
        assertEquals("Running", running.path("packetCaptureStatus").asText(), running.toString());
        assertTrue(running.path("packetsCaptured").asLong() > 0, running.toString());

        var stop = nw("watcher", "packet-capture", "stop", "-n", "life");
        assertEquals(0, stop.exit(), stop.toString());
        JsonNode stopped = json(nw("watcher", "packet-capture", "show-status", "-n", "life"));
        assertEquals("Stopped", stopped.path("packetCaptureStatus").asText());
        assertEquals("StoppedByRequest", stopped.path("stopReason").asText());

        // the upload follows the stop report; wait until the controller says it is done
        for (int i = 0; i < 50 && !stopped.path("uploadState").asText().equals("done"); i++) {
            Thread.sleep(200);
            stopped = json(nw("watcher", "packet-capture", "show-status", "-n", "life"));
        }
        assertEquals("done", stopped.path("uploadState").asText(), stopped.toString());

        Path file = tmp.resolve("life.pcap");
        JsonNode dl = json(nw("watcher", "packet-capture", "download", "-n", "life", "-f", file.toString()));
        assertEquals(PCAP.length, dl.path("bytes").asLong());
        assertEquals(0, dl.path("resumedFrom").asLong());
        assertArrayEquals(PCAP, Files.readAllBytes(file));
        Process tshark = new ProcessBuilder("tshark", "-r", file.toString()).redirectErrorStream(true).start();
        String listing = new String(tshark.getInputStream().readAllBytes());
        assertEquals(0, tshark.waitFor(), listing);
        assertEquals(40, listing.lines().filter(l -> l.contains("198.18.0.1") && l.contains("UDP")).count(), listing);

        // an interrupted download leaves FILE.part; the next run resumes from its end with a Range request
        Path again = tmp.resolve("again.pcap");
        Files.write(tmp.resolve("again.pcap.part"), Arrays.copyOf(PCAP, 1000));
        JsonNode resumed = json(nw("watcher", "packet-capture", "download", "-n", "life", "-f", again.toString()));
        assertEquals(1000, resumed.path("resumedFrom").asLong());
        assertArrayEquals(PCAP, Files.readAllBytes(again));
        assertFalse(Files.exists(tmp.resolve("again.pcap.part")));

        assertEquals(0, nw("watcher", "packet-capture", "delete", "-n", "life").exit());
        var gone = nw("watcher", "packet-capture", "show", "-l", "westeurope", "-n", "life");
        assertEquals(ExitCodes.NOT_FOUND, gone.exit(), gone.toString());
        assertTrue(gone.err().startsWith("ERROR: "), gone.err());
    }

    @Test
    void create_whenNameTaken_exitsRefusedWithArmCode() throws Exception {
        json(nw("watcher", "packet-capture", "create", "--vm", "vm1", "-n", "twice", "--file-path", "/var/captures/twice.cap", "--no-wait"));
        var again = nw("watcher", "packet-capture", "create", "--vm", "vm1", "-n", "twice", "--file-path", "/var/captures/twice.cap");
        assertEquals(ExitCodes.REFUSED, again.exit(), again.toString());
        assertTrue(again.err().matches("(?s)ERROR: \\w+: .+"), again.err());
        nw("watcher", "packet-capture", "delete", "-n", "twice");
    }

    @Test
    void createWait_withoutTerminal_printsPlainProgressLinesUntilTimeLimit() throws Exception {
        var r = nw("watcher", "packet-capture", "create", "--vm", "vm1", "-n", "timed", "--storage-account", "netwatcherlocal",
                "--time-limit", "2", "--wait");
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.err().contains("\033"), "no escape codes without a terminal: " + r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("timed Running packets=")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("timed Stopped TimeExceeded")), r.err());
        assertEquals("timed", JSON.readTree(r.out()).path("name").asText());
        nw("watcher", "packet-capture", "delete", "-n", "timed");
    }

    @Test
    void list_andShow_formatsAndQuery() throws Exception {
        json(nw("watcher", "packet-capture", "create", "--vm", "vm1", "-n", "listed", "--file-path", "/var/captures/l.cap"));
        JsonNode list = json(nw("watcher", "packet-capture", "list"));
        assertTrue(list.isArray());
        assertTrue(list.findValuesAsText("name").contains("listed"), list.toString());
        var table = nw("watcher", "packet-capture", "list", "-l", "westeurope", "-o", "table");
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().lines().findFirst().orElseThrow().startsWith("Name"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("listed ")), table.out());
        var tsv = nw("watcher", "packet-capture", "show", "-n", "listed", "--query", "properties.storageLocation.filePath", "-o", "tsv");
        assertEquals("/var/captures/l.cap\n", tsv.out());
        var yaml = nw("watcher", "packet-capture", "show", "-n", "listed", "-o", "yaml");
        assertTrue(yaml.out().contains("\nproperties:\n"), yaml.out());
        assertTrue(yaml.out().contains("  provisioningState: Succeeded\n"), yaml.out());
        nw("watcher", "packet-capture", "delete", "-n", "listed");
    }
}
