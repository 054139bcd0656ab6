package netwatcher.controller;

import static netwatcher.controller.testsupport.ScaleSetAgents.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code POST .../packetCaptures/{name}/snapshot} on a scale-set capture ({@code targetType: AzureVMSS}) over real
 * HTTPS, with agents on the real protocol and a {@link MutableClock}: each running instance gets the cut as a
 * single-VM snapshot order, the controller merges the uploaded cuts into one time-ordered pcapng (one interface per
 * host, {@code vm/eth0}) at its own storage path, the result lists every instance's outcome, an instance whose agent
 * goes away is reported and not waited for, no contribution fails {@code FleetSnapshotEmpty}, and refusals name
 * their field and change nothing.
 */
@Tag("e2e")
class FleetSnapshotApiTest {
    static final String V = "?api-version=2024-05-01";
    MutableClock clock;
    TestController c;
    TestAgent web0, web1, web2;
    String nw, set, account;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(Instant.now());
        c = new TestController(Duration.ofSeconds(30), Map.of(), clock); // the agent wait: 30 s
        web0 = join(c, "web0", "198.18.6.10/24");
        web1 = join(c, "web1", "198.18.6.11/24");
        web2 = join(c, "web2", "198.18.6.12/24");
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        set = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/webss";
        account = "/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT;
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
    }

    /** Creates fleet capture {@code name} (stored in the local account unless {@code stored} is false). */
    void create(String name, boolean stored) throws Exception {
        clock.advance(Duration.ofMillis(5)); // generated storage paths name the creation time to the millisecond
        String location = stored ? "\"storageId\":\"" + account + "\"" : "\"filePath\":\"/var/captures/" + name + ".cap\"";
        var put = c.send("PUT", nw + "/packetCaptures/" + name + V, """
                {"properties":{"target":"%s","targetType":"AzureVMSS","timeLimitInSeconds":600,
                 "storageLocation":{%s}}}""".formatted(set, location));
        assertEquals(201, put.status(), put.body());
    }

    /** Reports instance {@code id} of {@code name} running on {@code agent}, with packets from {@code first} to {@code last}. */
    String running(TestAgent agent, String name, int id, Instant first, Instant last) throws Exception {
        CaptureOrder o = agent.orders(-1, 0).captures().stream()
                .filter(x -> x.captureId().endsWith("/packetCaptures/" + name + "/instances/" + id)).findFirst().orElseThrow();
        var report = new CaptureReport(o.key(), CaptureStatus.Running, null, List.of(), null, first, null, 10, 1000, 0, 0, 10,
                first, last, "/var/captures/x.cap", UploadState.NONE, 0, null, null);
        send(agent, new Reports(List.of(report)));
        return o.key();
    }

    void send(TestAgent agent, Reports r) throws Exception {
        var sent = c.send("POST", "/agent/v1/reports", Json.writeString(r), agent.bearer());
        assertEquals(204, sent.status(), sent.body());
    }

    static SnapshotOrder cut(TestAgent agent, String captureKey) throws Exception {
        var cuts = agent.orders(-1, 0).snapshots().stream().filter(o -> o.captureKey().equals(captureKey)).toList();
        assertEquals(1, cuts.size(), cuts.toString());
        return cuts.getFirst();
    }

    /** Uploads {@code file} as the agent does to a local account, and reports the cut stored. */
    void store(TestAgent agent, SnapshotOrder o, byte[] file, int packets, Instant first, Instant last) throws Exception {
        UploadTarget t = o.upload();
        assertNotNull(t, "a capture with a storage account uploads its cuts");
        assertEquals(UploadTarget.LOCAL, t.kind());
        var put = c.http.send(HttpRequest.newBuilder(URI.create(t.url())).header("Authorization", agent.bearer())
                .header("Content-Range", "bytes 0-" + (file.length - 1) + "/" + file.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        send(agent, new Reports(List.of(), List.of(), List.of(new SnapshotReport(o.id(), o.captureKey(), SnapshotReport.State.Succeeded,
                packets, file.length, first, last, t.storagePath(), null, null))));
    }

    /** Polls the operation at {@code location} until it ends (the merge runs on its own thread). */
    TestController.Reply await(String location) throws Exception {
        for (int i = 0; i < 200; i++) {
            var r = c.send("GET", location, null);
            if (r.status() != 202) return r;
            Thread.sleep(50);
        }
        throw new AssertionError("the fleet snapshot's operation never ended: " + location);
    }

    /** A classic pcap (Ethernet) whose frames carry {@code marker} and their index, at {@code times}. */
    static byte[] pcap(String marker, List<Instant> times) {
        ByteBuffer b = ByteBuffer.allocate(24 + times.size() * (16 + 60)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        for (int i = 0; i < times.size(); i++) {
            byte[] frame = new byte[60];
            byte[] text = (marker + i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, frame, 14, text.length);
            b.putInt((int) times.get(i).getEpochSecond()).putInt(times.get(i).getNano() / 1000).putInt(60).putInt(60).put(frame);
        }
        return b.array();
    }

    /** What a test reads back from a pcapng: interface names, and each packet's interface, raw timestamp and marker. */
    record Merged(List<String> interfaces, List<Integer> iface, List<Long> times, List<String> markers) {}

    static Merged read(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        Merged m = new Merged(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        assertEquals(0x0A0D0D0A, b.getInt(0), "a pcapng section header first");
        int at = 0;
        while (at < file.length) {
            int type = b.getInt(at);
            int length = b.getInt(at + 4);
            if (type == 1) {
                String name = null;
                int o = at + 16;
                while (o < at + length - 4) {
                    int code = b.getShort(o) & 0xffff;
                    int len = b.getShort(o + 2) & 0xffff;
                    if (code == 0) break;
                    if (code == 2) name = new String(file, o + 4, len, StandardCharsets.UTF_8);
                    o += 4 + ((len + 3) & ~3);
                }
                m.interfaces().add(name);
            } else if (type == 6) {
                m.iface().add(b.getInt(at + 8));
                m.times().add(((long) b.getInt(at + 12) << 32) | (b.getInt(at + 16) & 0xffffffffL));
                m.markers().add(new String(file, at + 28 + 14, 5, StandardCharsets.US_ASCII));
            }
            at += length;
        }
        return m;
    }

    @Test
    void snapshot_cutsEveryRunningInstance_mergesTheCutsInTimeOrder_andListsEachInstance() throws Exception {
        create("fs1", true);
        Instant now = clock.instant();
        String k0 = running(web0, "fs1", 0, now.minusSeconds(60), now);
        String k1 = running(web1, "fs1", 1, now.minusSeconds(60), now);
        // web2 never takes its capture: its instance is not running, so it is reported, not asked

        var r = c.send("POST", nw + "/packetCaptures/fs1/snapshot" + V, "{\"lastSeconds\":30}");
        assertEquals(202, r.status(), r.body());
        assertTrue(r.header("Azure-AsyncOperation").contains("/operations/"), r.header("Azure-AsyncOperation"));
        String location = r.header("Location");
        assertNotNull(location);

        // pending snapshots are bounded: one per capture at a time, with when to try again
        var second = c.send("POST", nw + "/packetCaptures/fs1/snapshot" + V, "{\"lastSeconds\":5}");
        assertEquals(409, second.status(), second.body());
        assertEquals("AnotherOperationInProgress", second.errorCode());
        assertEquals("name", second.json().path("error").path("target").asText());
        assertTrue(Integer.parseInt(second.header("Retry-After")) >= 1, second.headers().toString());

        SnapshotOrder o0 = cut(web0, k0);
        SnapshotOrder o1 = cut(web1, k1);
        assertEquals(Duration.ofSeconds(30), Duration.between(o0.from(), o0.to()));
        assertEquals(o0.from(), o1.from(), "every instance cuts the same window");
        assertTrue(web2.orders(-1, 0).snapshots().isEmpty(), "an instance that does not run is not asked");

        Instant t = o0.to().minusSeconds(20);
        List<Instant> at0 = List.of(t, t.plusMillis(20), t.plusMillis(40));
        List<Instant> at1 = List.of(t.plusMillis(10), t.plusMillis(30));
        store(web0, o0, pcap("AAAA", at0), 3, at0.getFirst(), at0.getLast());
        store(web1, o1, pcap("BBBB", at1), 2, at1.getFirst(), at1.getLast());

        var done = await(location);
        assertEquals(200, done.status(), done.body());
        JsonNode s = done.json();
        assertEquals("Succeeded", s.path("state").asText(), s.toString());
        assertEquals(5, s.path("packets").asLong(), s.toString());
        assertEquals(at0.getFirst().toString(), s.path("firstPacketTime").asText());
        assertEquals(at0.getLast().toString(), s.path("lastPacketTime").asText());
        String path = s.path("storagePath").asText();
        assertTrue(path.endsWith("/snapshots/" + s.path("id").asText() + ".pcapng"), path);
        JsonNode instances = s.path("instances");
        assertEquals(3, instances.size(), s.toString());
        assertEquals("0", instances.get(0).path("instanceId").asText());
        assertEquals("web0", instances.get(0).path("virtualMachine").asText());
        assertEquals("Succeeded", instances.get(0).path("state").asText());
        assertEquals(3, instances.get(0).path("packets").asLong());
        assertEquals("Succeeded", instances.get(1).path("state").asText());
        assertEquals(2, instances.get(1).path("packets").asLong());
        assertEquals("Failed", instances.get(2).path("state").asText());
        assertEquals("CaptureNotRunning", instances.get(2).path("error").path("code").asText(), s.toString());

        var download = c.http.send(HttpRequest.newBuilder(URI.create(path)).header("Authorization", "Bearer " + c.token).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals(s.path("bytes").asLong(), download.body().length);
        Merged m = read(download.body());
        assertEquals(List.of("web0/eth0", "web1/eth0"), m.interfaces());
        assertEquals(List.of("AAAA0", "BBBB0", "AAAA1", "BBBB1", "AAAA2"), m.markers(), "one time-ordered file of both hosts");
        assertEquals(List.of(0, 1, 0, 1, 0), m.iface());
        for (int i = 1; i < m.times().size(); i++) assertTrue(m.times().get(i) >= m.times().get(i - 1), m.times().toString());

        // listed on the fleet capture: GET and queryStatus
        JsonNode listed = c.send("GET", nw + "/packetCaptures/fs1" + V, null).json().path("properties").path("snapshots");
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(3, listed.get(0).path("instances").size());
        var status = c.send("POST", nw + "/packetCaptures/fs1/queryStatus" + V, null).json();
        assertEquals("Succeeded", status.path("snapshots").get(0).path("state").asText(), status.toString());
        // and the next may run now
        assertEquals(202, c.send("POST", nw + "/packetCaptures/fs1/snapshot" + V, "{\"lastSeconds\":5}").status());
    }

    @Test
    void snapshot_whoseInstanceAgentGoesAway_reportsIt_andStoresTheOthersCuts() throws Exception {
        create("fs2", true);
        Instant now = clock.instant();
        String k0 = running(web0, "fs2", 0, now.minusSeconds(60), now);
        running(web1, "fs2", 1, now.minusSeconds(60), now);
        running(web2, "fs2", 2, now.minusSeconds(60), now);
        var r = c.send("POST", nw + "/packetCaptures/fs2/snapshot" + V, "{\"lastSeconds\":10}");
        assertEquals(202, r.status(), r.body());
        SnapshotOrder o0 = cut(web0, k0);
        // web1's and web2's agents go away without reporting their cuts; web0's keeps polling and stores its own
        clock.advance(Duration.ofSeconds(20));
        web0.orders(0, 0);
        var early = c.send("GET", r.header("Location"), null);
        assertEquals(202, early.status(), "within the agent wait (30 s) the cuts are waited for: " + early.body());
        clock.advance(Duration.ofSeconds(20));
        web0.orders(0, 0);
        Instant t = o0.to().minusSeconds(5);
        store(web0, o0, pcap("AAAA", List.of(t)), 1, t, t);

        var done = await(r.header("Location"));
        assertEquals(200, done.status(), done.body());
        JsonNode instances = done.json().path("instances");
        assertEquals("Succeeded", instances.get(0).path("state").asText(), done.body());
        for (int i = 1; i <= 2; i++) {
            assertEquals("Failed", instances.get(i).path("state").asText(), done.body());
            assertEquals("AgentUnavailable", instances.get(i).path("error").path("code").asText(), done.body());
        }
        assertEquals(1, done.json().path("packets").asLong());
    }

    @Test
    void snapshot_noInstanceContributes_failsFleetSnapshotEmpty_namingEachInstance() throws Exception {
        create("fs3", true);
        Instant now = clock.instant();
        String k0 = running(web0, "fs3", 0, now.minusSeconds(60), now);
        String k1 = running(web1, "fs3", 1, now.minusSeconds(60), now);
        var r = c.send("POST", nw + "/packetCaptures/fs3/snapshot" + V, "{\"lastSeconds\":10}");
        assertEquals(202, r.status(), r.body());
        SnapshotOrder o0 = cut(web0, k0);
        SnapshotOrder o1 = cut(web1, k1);
        send(web0, new Reports(List.of(), List.of(), List.of(SnapshotReport.failed(o0, "DiskSpaceLow", "the host would fall below its disk floor"))));
        send(web1, new Reports(List.of(), List.of(), List.of(SnapshotReport.failed(o1, "WindowNotCovered", "no packet in the window"))));

        JsonNode op = c.send("GET", r.header("Azure-AsyncOperation"), null).json();
        for (int i = 0; i < 100 && "InProgress".equals(op.path("status").asText()); i++) {
            Thread.sleep(50);
            op = c.send("GET", r.header("Azure-AsyncOperation"), null).json();
        }
        assertEquals("Failed", op.path("status").asText(), op.toString());
        assertEquals("FleetSnapshotEmpty", op.path("error").path("code").asText(), op.toString());
        String message = op.path("error").path("message").asText();
        assertTrue(message.contains("instance 0 (web0): DiskSpaceLow"), message);
        assertTrue(message.contains("instance 1 (web1): WindowNotCovered"), message);
        assertTrue(message.contains("instance 2 (web2): CaptureNotRunning"), message);
        var result = c.send("GET", r.header("Location"), null);
        assertEquals(409, result.status(), result.body());
        assertEquals("FleetSnapshotEmpty", result.errorCode());
    }

    @Test
    void snapshot_refusals_nameTheirField_andChangeNothing() throws Exception {
        create("fsbad", true);
        Instant now = clock.instant();
        String k0 = running(web0, "fsbad", 0, now.minusSeconds(60), now);
        long generation = web0.orders(-1, 0).generation();
        String[][] cases = {
                {"{}", "400", "MissingRequiredProperty", "lastSeconds"},
                {"{\"lastSeconds\":0}", "400", null, "lastSeconds"},
                // every instance's files start 60 s ago: a window before that is refused as for one VM
                {"{\"from\":\"" + now.minusSeconds(600) + "\",\"to\":\"" + now.minusSeconds(300) + "\"}", "400", "InvalidParameter", "to"},
        };
        for (String[] k : cases) {
            var r = c.send("POST", nw + "/packetCaptures/fsbad/snapshot" + V, k[0]);
            assertEquals(Integer.parseInt(k[1]), r.status(), k[0] + " → " + r.body());
            if (k[2] != null) assertEquals(k[2], r.errorCode(), k[0] + " → " + r.body());
            assertEquals(k[3], r.json().path("error").path("target").asText(), k[0] + " → " + r.body());
        }
        assertEquals(generation, web0.orders(-1, 0).generation(), "no order");
        assertTrue(web0.orders(-1, 0).snapshots().stream().noneMatch(o -> o.captureKey().equals(k0)));
        assertTrue(c.send("GET", nw + "/packetCaptures/fsbad" + V, null).json().path("properties").path("snapshots").isMissingNode());

        // a fleet capture that stores no file: no merged snapshot can be written
        create("fslocal", false);
        running(web0, "fslocal", 0, now.minusSeconds(60), now);
        var local = c.send("POST", nw + "/packetCaptures/fslocal/snapshot" + V, "{\"lastSeconds\":5}");
        assertEquals(400, local.status(), local.body());
        assertEquals("UnsupportedFeature", local.errorCode());
        assertEquals("properties.storageLocation.storageId", local.json().path("error").path("target").asText());

        // a fleet capture no instance of which runs: 409 naming it
        create("fsidle", true);
        var idle = c.send("POST", nw + "/packetCaptures/fsidle/snapshot" + V, "{\"lastSeconds\":5}");
        assertEquals(409, idle.status(), idle.body());
        assertEquals("Conflict", idle.errorCode());
        assertEquals("name", idle.json().path("error").path("target").asText());
    }
}
