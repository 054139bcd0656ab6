package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scale-set captures on the default lab's scale set {@code dbss} ({@code db} and {@code db2}, real agents
 * started with {@code --scale-set dbss}) through a real controller: the set and its instances over ARM, a
 * fleet capture on both whose merged pcapng holds exactly the packets of the two per-host files, in time
 * order, with one interface per host (checked with tshark), and a capture whose scope keeps an instance
 * whose agent is stopped: reported as such, not waited for.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabFleetCaptureTest {
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;
    /** VM name by instance id, as the controller numbered them. */
    static final Map<String, String> VM_OF = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("nwit-fleet-");
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        JsonNode instances = world.send("GET", set() + "/virtualMachines" + LabWorld.V, null).json().path("value");
        instances.forEach(i -> VM_OF.put(i.path("instanceId").asText(), i.path("properties").path("osProfile").path("computerName").asText()));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (world != null) world.close();
        } finally {
            LabWorld.deleteTree(scratch);
        }
    }

    static String set() {
        return "/subscriptions/" + world.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/dbss";
    }

    static JsonNode create(String name, String properties) throws Exception {
        String body = "{\"properties\":{\"target\":\"" + set() + "\",\"targetType\":\"AzureVMSS\"," + properties.strip().substring(1) + "}";
        LabWorld.Reply r = world.send("PUT", world.watcher() + "/packetCaptures/" + name + LabWorld.V, body);
        assertEquals(201, r.status(), r.body());
        return r.json();
    }

    /** tshark's fields of every packet in file order (not sorted). */
    static List<String> inOrder(Path file, String... fields) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields", "-E", "separator=,"));
        for (String f : fields) command.addAll(List.of("-e", f));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tshark failed on " + file);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    @Order(1)
    void scaleSet_ofTheDefaultLab_hasDbAndDb2AsInstances() throws Exception {
        JsonNode vmss = world.send("GET", set() + LabWorld.V, null).json();
        assertEquals(2, vmss.path("sku").path("capacity").asInt(), vmss.toString());
        assertEquals(List.of("db", "db2"), VM_OF.values().stream().sorted().toList());
    }

    @Test
    @Order(2)
    void fleetCapture_onBothInstances_mergesTheirFilesIntoOneTimeOrderedPcapng() throws Exception {
        create("fleet", """
                {"timeLimitInSeconds":120,"storageLocation":{"storageId":"%s","filePath":"/var/captures/fleet.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.localAccountId()));
        world.awaitRunning("fleet");
        world.awaitStatus("fleet", s -> s.path("instances").size() == 2
                && s.path("instances").findValuesAsText("packetCaptureStatus").stream().allMatch("Running"::equals),
                Duration.ofSeconds(60), "both instances running");
        for (String ip : List.of("198.18.3.10", "198.18.3.11")) {
            world.bash("app", "for i in 1 2 3; do timeout 5 bash -c 'exec 3<>/dev/tcp/" + ip + "/1433; echo hi$i >&3; head -c 4 <&3 >/dev/null'; done; true");
        }
        Thread.sleep(1500);
        world.stopCapture("fleet");
        JsonNode s = world.awaitStatus("fleet", st -> st.path("mergedFile").path("state").asText().matches("Done|MergeFailed"),
                Duration.ofSeconds(90), "a merged file");
        assertEquals("Done", s.path("mergedFile").path("state").asText(), s.toString());
        assertEquals("Stopped", s.path("packetCaptureStatus").asText());
        assertEquals("StoppedByRequest", s.path("stopReason").asText());

        LabWorld.Reply merged = world.send("GET", s.path("mergedFile").path("storagePath").asText(), null);
        assertEquals(200, merged.status(), merged.body());
        Path mergedFile = scratch.resolve("merged.pcapng");
        Files.write(mergedFile, merged.response().body());
        Path dbFile = world.hostFile("db", "fleet.cap");
        Path db2File = world.hostFile("db2", "fleet.cap");

        List<String> expected = new ArrayList<>(LabWorld.packets(dbFile, null, LabWorld.IDENTITY));
        expected.addAll(LabWorld.packets(db2File, null, LabWorld.IDENTITY));
        List<String> got = LabWorld.packets(mergedFile, null, LabWorld.IDENTITY);
        assertTrue(LabWorld.packets(dbFile, null, "frame.number").size() >= 6, "too little traffic reached db");
        assertTrue(LabWorld.packets(db2File, null, "frame.number").size() >= 6, "too little traffic reached db2");
        assertEquals(expected.stream().sorted().toList(), got, "the merged file holds exactly the per-host files' packets");
        assertEquals(expected.size(), s.path("packetsCaptured").asInt());

        List<String> times = inOrder(mergedFile, "frame.time_epoch");
        List<java.math.BigDecimal> epochs = times.stream().map(java.math.BigDecimal::new).toList();
        for (int i = 1; i < epochs.size(); i++) assertTrue(epochs.get(i).compareTo(epochs.get(i - 1)) >= 0, "not in time order at " + i);
        List<String> interfaces = inOrder(mergedFile, "frame.interface_name").stream().distinct().sorted().toList();
        assertEquals(List.of("db/eth0", "db2/eth0"), interfaces);
        String info = new String(new ProcessBuilder("capinfos", "-I", mergedFile.toString()).redirectErrorStream(true).start()
                .getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(info.contains("host db,") && info.contains("host db2,"), "the hosts in the interface comments: " + info);
    }

    @Test
    @Order(3)
    void fleetCapture_withAnInstanceWhoseAgentIsStopped_reportsItAndRunsOnTheOther() throws Exception {
        String downId = VM_OF.entrySet().stream().filter(e -> e.getValue().equals("db2")).findFirst().orElseThrow().getKey();
        LAB.lab().stopAgent("db2");
        try {
            create("partial", """
                    {"scope":{"include":["0","1"]},"timeLimitInSeconds":120,"storageLocation":{"filePath":"/var/captures/partial.cap"}}""");
            JsonNode s = world.awaitStatus("partial", st -> st.path("packetCaptureStatus").asText().equals("Running")
                    && st.path("message").asText().contains("db2"), Duration.ofSeconds(90), "Running with db2 reported");
            JsonNode down = null;
            for (JsonNode i : s.path("instances")) if (i.path("instanceId").asText().equals(downId)) down = i;
            assertEquals("Disconnected", down.path("agent").asText(), s.toString());
            assertTrue(s.path("message").asText().contains("instance " + downId + " (db2): agent not connected"), s.toString());
            world.stopCapture("partial");
            JsonNode ended = world.awaitStatus("partial", st -> st.path("packetCaptureStatus").asText().equals("Stopped"),
                    Duration.ofSeconds(60), "Stopped without waiting for db2");
            assertEquals("StoppedByRequest", ended.path("stopReason").asText(), ended.toString());
            world.deleteCapture("partial");
        } finally {
            LAB.lab().startAgent("db2");
        }
    }
}
