package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import netwatcher.cli.Main;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * Probe packets as evidence, on the default lab with real agents (app, fw1, fw2, db), real libpcap and
 * tshark: a reachable check stores the source's and the destination's files with the probe SYNs and
 * counts that match the entries; a check dropped by fw2's UserRule_Port80 has fw2's file (the SYNs
 * arrived there) and the destination's empty one; {@code nw watcher test-connectivity --evidence-dir}
 * writes one file per host named by VM; the download endpoint refuses a caller without a token; ICMP
 * checks store echo requests and replies; a URL destination without an agent stores the source's file
 * and never an off-path host's; a source that cannot capture still answers, with the reason.
 */
@Tag("netns")
class LabEvidenceTest {
    static final String DB = "198.18.3.10";
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path downloads;

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        downloads = Files.createTempDirectory("nwit-evidence-");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (world != null) world.close();
        } finally {
            LabWorld.deleteTree(downloads);
        }
    }

    /** POSTs a connectivity check from app and polls its Location until the answer. */
    static JsonNode connectivity(String dest) throws Exception {
        var r = world.send("POST", world.watcher() + "/connectivityCheck" + LabWorld.V, "{\"source\":{\"resourceId\":\""
                + world.vmId("app") + "\"},\"destination\":" + dest + "}");
        assertEquals(202, r.status(), r.body());
        return world.awaitOperation(r.header("Location"), Duration.ofSeconds(240));
    }

    static JsonNode entry(JsonNode result, String vm) {
        for (JsonNode e : result.path("evidence")) if (e.path("vmId").asText().endsWith("/virtualMachines/" + vm)) return e;
        return fail("no evidence entry for " + vm + " in " + result.path("evidence"));
    }

    /** GETs an entry's storagePath with the admin token (retrying while the upload is pending) into a file. */
    static Path download(JsonNode entry, String name) throws Exception {
        String url = entry.path("storagePath").asText(null);
        assertNotNull(url, "entry without storagePath: " + entry);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            var r = world.send("GET", url, null);
            if (r.status() == 200) {
                Path file = downloads.resolve(name);
                Files.write(file, r.response().body());
                return file;
            }
            if (r.status() != 404 || System.nanoTime() > deadline) fail("GET " + url + ": " + r.status() + " " + r.body());
            Thread.sleep(300);
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** Checks the file against its entry (hash, packet count, times) and returns the SYNs to {@code port} in it. */
    static List<String> checkedSyns(JsonNode entry, Path file, int port) throws Exception {
        assertEquals(entry.path("sha256").asText(), sha256(file), entry.toString());
        List<String> all = LabWorld.packets(file, null, "frame.number");
        assertEquals(entry.path("packets").asLong(), all.size(), "packets in " + file + " vs entry " + entry);
        if (!all.isEmpty()) {
            assertFalse(entry.path("firstPacketTime").isMissingNode(), entry.toString());
            assertFalse(entry.path("lastPacketTime").isMissingNode(), entry.toString());
        }
        return LabWorld.packets(file, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == " + port, "ip.src", "ip.dst");
    }

    @Test
    void reachableCheck_storesTheProbeSynsOnSourceAndDestination() throws Exception {
        JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}");
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
        JsonNode app = entry(r, "app");
        JsonNode db = entry(r, "db");
        assertEquals("Source", app.path("role").asText());
        assertEquals("Destination", db.path("role").asText());
        for (JsonNode e : r.path("evidence")) {
            assertTrue(e.path("packets").asLong() > 0, "every listed host saw the probes: " + e);
        }
        int probes = r.path("probesSent").asInt();
        for (var pair : List.of(Map.entry(app, "app-reachable.pcap"), Map.entry(db, "db-reachable.pcap"))) {
            List<String> syns = checkedSyns(pair.getKey(), download(pair.getKey(), pair.getValue()), 1433);
            assertTrue(syns.size() >= probes, "at least one SYN per probe (" + probes + ") in " + pair.getValue() + ": " + syns.size());
            assertTrue(syns.stream().allMatch(s -> s.endsWith("," + DB)), syns.toString());
        }
    }

    @Test
    void blockedCheck_storesTheDroppingHopsFile_andTheDestinationsEmptyOne() throws Exception {
        JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":80}");
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        JsonNode fw2 = entry(r, "fw2");
        assertEquals("Path", fw2.path("role").asText());
        List<String> atFw2 = checkedSyns(fw2, download(fw2, "fw2-blocked.pcap"), 80);
        assertTrue(atFw2.size() >= r.path("probesSent").asInt(), "the probes reached fw2: " + atFw2.size());
        JsonNode db = entry(r, "db");
        assertEquals(0, db.path("packets").asLong(), "nothing arrived at db: " + db);
        assertTrue(checkedSyns(db, download(db, "db-blocked.pcap"), 80).isEmpty());
        JsonNode app = entry(r, "app");
        assertFalse(checkedSyns(app, download(app, "app-blocked.pcap"), 80).isEmpty());
    }

    @Test
    void icmpCheck_storesEchoRequestsAndReplies() throws Exception {
        JsonNode r = connectivity("{\"address\":\"" + DB + "\"},\"protocol\":\"Icmp\"");
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
        for (String vm : List.of("app", "db")) {
            JsonNode e = entry(r, vm);
            Path file = download(e, vm + "-icmp.pcap");
            assertEquals(e.path("sha256").asText(), sha256(file));
            assertEquals(e.path("packets").asLong(), LabWorld.packets(file, null, "frame.number").size());
            int requests = LabWorld.packets(file, "icmp.type == 8 && ip.dst == " + DB, "frame.number").size();
            int replies = LabWorld.packets(file, "icmp.type == 0 && ip.src == " + DB, "frame.number").size();
            assertTrue(requests >= r.path("probesSent").asInt() && replies >= r.path("probesSent").asInt(),
                    vm + ": " + requests + " echo requests, " + replies + " replies");
        }
    }

    @Test
    void urlDestinationWithoutAgent_storesTheSourcesFile() throws Exception {
        JsonNode r = connectivity("{\"address\":\"https://web.lab.test/\"},\"protocol\":\"Https\"");
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
        JsonNode app = entry(r, "app");
        List<String> syns = checkedSyns(app, download(app, "app-web.pcap"), 443);
        assertTrue(syns.size() >= r.path("probesSent").asInt(), "one SYN per HTTPS probe at least: " + syns.size());
        for (JsonNode e : r.path("evidence")) {
            assertFalse(e.path("vmId").asText().endsWith("/db"), "db is off this path: " + e);
        }
    }

    @Test
    void evidenceDir_writesOneFilePerHostNamedByVm_thatTsharkReads() throws Exception {
        Path config = downloads.resolve("nw-config.json");
        Files.writeString(config, "{\"endpoint\":\"" + world.baseUrl() + "\",\"token\":\"" + world.token + "\",\"caFile\":\""
                + world.controller.caFile() + "\"}");
        Path dir = downloads.resolve("cli");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("watcher", "test-connectivity", "--config", config.toString(), "-g", "lab", "--source-resource", "app",
                "--dest-resource", "db", "--dest-port", "1433", "--no-progress", "--evidence-dir", dir.toString());
        assertEquals(0, exit, out + "\n" + err);
        for (String vm : List.of("app", "db")) {
            Path file = dir.resolve(vm + ".pcap");
            assertTrue(Files.isRegularFile(file), "no " + file + ": " + err);
            assertFalse(LabWorld.packets(file, "tcp.flags.syn == 1 && tcp.dstport == 1433", "frame.number").isEmpty(), file.toString());
        }
        List<String> names = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(f -> names.add(f.getFileName().toString()));
        }
        assertTrue(names.stream().allMatch(n -> n.endsWith(".pcap")), names.toString());
    }

    @Test
    void sourceThatCannotCapture_stillAnswers_withTheReasonInItsEntry() throws Exception {
        Path waiting = LAB.lab().host("app").agentStateDirectory().resolve("evidence");
        List<Path> fillers = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) fillers.add(Files.writeString(waiting.resolve("nwtest-filler-" + i + ".pcap"), "x"));
            JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}");
            assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode app = entry(r, "app");
            assertEquals("unavailable", app.path("state").asText(), app.toString());
            assertTrue(app.path("reason").asText().contains("wait for upload"), app.toString());
            assertTrue(app.path("storagePath").isMissingNode(), app.toString());
            assertTrue(List.of("stored", "pending").contains(entry(r, "db").path("uploadState").asText()), r.path("evidence").toString());
        } finally {
            for (Path f : fillers) Files.deleteIfExists(f);
        }
    }

    @Test
    void storagePath_needsAToken() throws Exception {
        JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1433}");
        String url = entry(r, "app").path("storagePath").asText();
        var anonymous = world.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }
}
