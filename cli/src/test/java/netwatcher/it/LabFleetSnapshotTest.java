package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot of a running scale-set capture end to end: the default lab's scale set {@code dbss} ({@code db} and
 * {@code db2}, real agents and rings), the real controller's ARM API ({@code POST .../snapshot} on the fleet capture, a
 * long-running operation). Numbered datagrams flow to both hosts; the snapshot's one merged pcapng holds, in time order,
 * exactly the datagrams of both hosts' own cuts, each on its host's interface ({@code db/eth0}, {@code db2/eth0}), all
 * within the window (read with tshark told that the port carries data, no heuristics). Also measures the fleet
 * snapshot's time to stored (BENCHMARKS.md §14b).
 */
@Tag("netns")
class LabFleetSnapshotTest {
    static final int PORT = 5099;
    static final Map<String, String> ADDRESS = Map.of("db", "198.18.3.10", "db2", "198.18.3.11");
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("nwit-fleetsnap-");
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
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

    String capture(String name) {
        return world.watcher() + "/packetCaptures/" + name;
    }

    /** Sends "fs-HOST-N-000..." from app to db and db2 in turn, N from 1 to {@code count}, one pair every 50 ms, in the background. */
    CompletableFuture<Void> sendSlowly(int count) {
        return CompletableFuture.runAsync(() -> world.bash("app", "for i in $(seq 1 " + count + "); do"
                + " echo \"fs-db-$i-" + "0".repeat(100) + "\" > /dev/udp/" + ADDRESS.get("db") + "/" + PORT + ";"
                + " echo \"fs-db2-$i-" + "0".repeat(100) + "\" > /dev/udp/" + ADDRESS.get("db2") + "/" + PORT + ";"
                + " sleep 0.05; done; true"));
    }

    /** One datagram as the merged file holds it. */
    record Datagram(BigDecimal time, String iface, String host, int number) {}

    /** Every datagram of {@code file} in file order: tshark told that {@code PORT} carries data ({@code -d}), no heuristics. */
    static List<Datagram> datagrams(Path file) throws Exception {
        List<Datagram> got = new ArrayList<>();
        for (String row : LabWorld.datagrams(file, PORT, "frame.time_epoch", "frame.interface_name", "data.data")) {
            String[] f = row.split(",", 3);
            String text = new String(HexFormat.of().parseHex(f[2].strip()), StandardCharsets.US_ASCII);
            String[] parts = text.split("-");
            got.add(new Datagram(new BigDecimal(f[0]), f[1], parts[1], Integer.parseInt(parts[2])));
        }
        return got;
    }

    static BigDecimal epoch(Instant t) {
        return new BigDecimal(t.getEpochSecond()).add(new BigDecimal(t.getNano()).movePointLeft(9));
    }

    /** POSTs a snapshot and follows its operation to the end; returns the snapshot and how long it took to be stored. */
    record Taken(JsonNode snapshot, Duration toStored) {}

    Taken snapshot(String name, String body) throws Exception {
        long started = System.nanoTime();
        LabWorld.Reply r = world.send("POST", capture(name) + "/snapshot" + LabWorld.V, body);
        if (r.status() == 200) return new Taken(r.json(), Duration.ofNanos(System.nanoTime() - started));
        assertEquals(202, r.status(), r.body());
        assertNotNull(r.header("Location"), "202 carries Location");
        assertNotNull(r.header("Azure-AsyncOperation"), "202 carries Azure-AsyncOperation");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            LabWorld.Reply poll = world.send("GET", r.header("Location"), null);
            if (poll.status() == 200) return new Taken(poll.json(), Duration.ofNanos(System.nanoTime() - started));
            assertEquals(202, poll.status(), poll.body());
            Thread.sleep(50);
        }
        throw new AssertionError("fleet snapshot of " + name + " did not finish within 60 s");
    }

    /** Runs {@code nw ARGS} in this JVM against the lab's controller; returns its standard output (exit 0 asserted). */
    static String nw(String... args) throws Exception {
        Path config = scratch.resolve("cli.json");
        Files.writeString(config, "{\"endpoint\":\"" + world.baseUrl() + "\",\"token\":\"" + world.token + "\",\"caFile\":\""
                + world.controller.caFile() + "\"}");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = netwatcher.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        int exit = cl.execute(all);
        assertEquals(0, exit, out + "\n" + err);
        return out.toString();
    }

    Path download(String url, String as) throws Exception {
        LabWorld.Reply got = world.send("GET", url, null);
        assertEquals(200, got.status(), url);
        Path copy = scratch.resolve(as);
        Files.write(copy, got.response().body());
        return copy;
    }

    @Test
    void lastSeconds_ofAFleetRing_isOneTimeOrderedPcapng_ofBothHostsCuts_withinTheWindow() throws Exception {
        String name = "fleetsnap";
        String body = """
                {"properties":{"target":"%s","targetType":"AzureVMSS","continuousCapture":true,
                 "captureSettings":{"fileCount":8,"fileSizeInBytes":65536,"sessionTimeLimitInSeconds":600},
                 "storageLocation":{"storageId":"%s","localPath":"/var/captures/fleetsnap.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}}""".formatted(set(), world.localAccountId(), PORT);
        LabWorld.Reply put = world.send("PUT", capture(name) + LabWorld.V, body);
        assertEquals(201, put.status(), put.body());
        world.awaitStatus(name, s -> s.path("instances").size() == 2
                && s.path("instances").findValuesAsText("packetCaptureStatus").stream().allMatch("Running"::equals),
                Duration.ofSeconds(60), "both instances running");
        CompletableFuture<Void> sending = sendSlowly(500); // ~25 s or more on a loaded machine
        world.awaitStatus(name, s -> s.path("packetsCaptured").asLong() >= 60, Duration.ofSeconds(60), "packets on both hosts");

        Taken taken = snapshot(name, "{\"lastSeconds\": 2}");
        JsonNode snap = taken.snapshot();
        assertEquals("Succeeded", snap.path("state").asText(), snap.toString());
        Instant from = Instant.parse(snap.path("from").asText());
        Instant to = Instant.parse(snap.path("to").asText());
        assertEquals(Duration.ofSeconds(2), Duration.between(from, to));
        String storagePath = snap.path("storagePath").asText();
        assertTrue(storagePath.endsWith("/snapshots/" + snap.path("id").asText() + ".pcapng"), storagePath);
        JsonNode instances = snap.path("instances");
        assertEquals(2, instances.size(), snap.toString());
        List<Datagram> ofCuts = new ArrayList<>();
        for (JsonNode i : instances) {
            assertEquals("Succeeded", i.path("state").asText(), snap.toString());
            assertTrue(i.path("packets").asLong() > 0, "datagrams flowed to " + i.path("virtualMachine").asText() + ": " + snap);
            ofCuts.addAll(datagrams(download(i.path("storagePath").asText(), "cut-" + i.path("instanceId").asText() + ".cap")));
        }

        Path merged = download(storagePath, "fleetsnap.pcapng");
        assertEquals(snap.path("bytes").asLong(), Files.size(merged));
        List<Datagram> got = datagrams(merged);
        assertEquals(snap.path("packets").asLong(), got.size(), snap.toString());
        // both hosts, each on its own interface, every datagram within the window, in time order
        for (String host : List.of("db", "db2")) {
            List<Integer> numbers = got.stream().filter(d -> d.host().equals(host)).map(Datagram::number).toList();
            assertTrue(numbers.size() >= 5, "datagrams of " + host + " in the snapshot: " + numbers);
            for (int i = 1; i < numbers.size(); i++) assertEquals(numbers.get(i - 1) + 1, numbers.get(i), host + " consecutive: " + numbers);
            assertTrue(got.stream().filter(d -> d.host().equals(host)).allMatch(d -> d.iface().equals(host + "/eth0")),
                    "datagrams to " + host + " are on " + host + "/eth0");
        }
        for (int i = 0; i < got.size(); i++) {
            Datagram d = got.get(i);
            assertTrue(d.time().compareTo(epoch(from)) >= 0 && d.time().compareTo(epoch(to)) <= 0, "outside the window: " + d);
            if (i > 0) assertTrue(d.time().compareTo(got.get(i - 1).time()) >= 0, "not in time order at " + i + ": " + got);
        }
        // exactly the instances' own cuts, merged
        assertEquals(ofCuts.stream().map(d -> d.host() + "-" + d.number() + "@" + d.time()).sorted().toList(),
                got.stream().map(d -> d.host() + "-" + d.number() + "@" + d.time()).sorted().toList());
        String info = new String(new ProcessBuilder("capinfos", "-I", merged.toString()).redirectErrorStream(true).start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(info.contains("host db,") && info.contains("host db2,"), "the hosts in the interface comments: " + info);

        // time to stored, over more snapshots while the traffic flows (BENCHMARKS.md §14b)
        List<Long> millis = new ArrayList<>(List.of(taken.toStored().toMillis()));
        for (int n = 0; n < 9 && !sending.isDone(); n++) {
            Taken next = snapshot(name, "{\"lastSeconds\": 2}");
            assertEquals("Succeeded", next.snapshot().path("state").asText(), next.snapshot().toString());
            millis.add(next.toStored().toMillis());
        }
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.println("fleet snapshot time to stored (2 hosts, lastSeconds 2), ms: runs=" + sorted.size() + " p50="
                + sorted.get((sorted.size() - 1) / 2) + " p99=" + sorted.getLast() + " all=" + millis);
        assertEquals("Running", world.status(name).path("packetCaptureStatus").asText(), "the capture keeps running");

        // the CLI's snapshot verb on the scale-set capture: waits for the operation and prints the merged snapshot
        JsonNode viaCli = new com.fasterxml.jackson.databind.ObjectMapper().readTree(nw("watcher", "packet-capture", "snapshot",
                "-n", name, "--last", "2s"));
        assertEquals("Succeeded", viaCli.path("state").asText(), viaCli.toString());
        assertTrue(viaCli.path("storagePath").asText().endsWith(".pcapng"), viaCli.toString());
        assertEquals(2, viaCli.path("instances").size(), viaCli.toString());
        sending.get();
        world.stopCapture(name);
    }
}
