package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.models.NetworkWatcher;
import com.azure.resourcemanager.network.models.PacketCapture;
import com.azure.resourcemanager.network.models.PcProtocol;
import com.azure.resourcemanager.network.models.PcStatus;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import netwatcher.cli.lab.ControllerAdmin;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * Packet captures on the lab's hosts by real agents (libpcap) ordered through a real controller's
 * ARM API: filters checked packet by packet with tshark against an unfiltered tcpdump of the same
 * interface, snap length, time and byte limits, stop, the local storage account with a ranged
 * download, and the official Azure SDK for Java.
 */
@Tag("netns")
class LabCaptureTest {
    static final String DB = "198.18.3.10";
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        scratch = world.scratch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close(); // the scratch directory too
    }

    /** The agent's file and an unfiltered tcpdump of db's eth0 over a longer window, around {@code traffic}. */
    record Captured(Path agentFile, Path reference, JsonNode finalStatus) {}

    static Captured captureWithReference(String name, String properties, Runnable traffic) throws Exception {
        Path reference = scratch.resolve(name + "-reference.pcap");
        Path log = scratch.resolve(name + "-tcpdump.log");
        Process tcpdump = LAB.lab().spawn("db", List.of("tcpdump", "-i", "eth0", "-n", "-U", "-s", "0", "-w", reference.toString()), log);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(Files.exists(log) && Files.readString(log).contains("listening on"))) {
                assertTrue(tcpdump.isAlive() && System.nanoTime() < deadline, "tcpdump did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
                Thread.sleep(50);
            }
            world.createCapture(name, "db", properties);
            world.awaitRunning(name);
            traffic.run();
            Thread.sleep(1500);
            world.stopCapture(name);
            JsonNode status = world.awaitFinal(name, Duration.ofSeconds(60));
            return new Captured(world.hostFile("db", name + ".cap"), reference, status);
        } finally {
            tcpdump.destroy();
            tcpdump.waitFor();
        }
    }

    @Test
    void capture_tcpLocalPort80OnDb_fileHoldsEveryMatchingPacketAndNoOther() throws Exception {
        Captured c = captureWithReference("port80", """
                {"bytesToCapturePerPacket":64,"timeLimitInSeconds":120,"storageLocation":{"filePath":"/var/captures/port80.cap"},
                 "filters":[{"protocol":"TCP","localPort":"80"}]}""", () -> {
            // app: TCP to 80 (fw2's UserRule_Port80 drops it on the way), 22 (refused) and UDP
            world.bash("app", "timeout 2 bash -c 'echo x > /dev/tcp/" + DB + "/80'; timeout 2 bash -c 'echo x > /dev/tcp/" + DB + "/22';"
                    + " echo u > /dev/udp/" + DB + "/80; echo u > /dev/udp/" + DB + "/53; true");
            // fw2 sits on db's segment, so its port-80 traffic reaches db: an echo exchange larger than the snap length, SYN probes
            world.bash("fw2", "timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB + "/80; printf \"%0300d\\n\" 0 >&3; head -c 301 <&3 >/dev/null';"
                    + " hping3 -S -p 80 -c 3 -i u100000 " + DB + " >/dev/null 2>&1;"
                    + " timeout 2 bash -c 'echo x > /dev/tcp/" + DB + "/22'; timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB + "/1433; echo hi >&3; head -c 3 <&3 >/dev/null';"
                    + " echo u > /dev/udp/" + DB + "/80; true");
            // db as the client of a remote port 80: remote, not local, so not matching
            world.bash("db", "timeout 2 bash -c 'echo x > /dev/tcp/198.18.3.1/80'; true");
        });
        assertEquals("Stopped", c.finalStatus().path("packetCaptureStatus").asText(), c.finalStatus().toString());
        assertEquals("StoppedByRequest", c.finalStatus().path("stopReason").asText());

        String matching = "!icmp && tcp && ((ip.dst==" + DB + " && tcp.dstport==80) || (ip.src==" + DB + " && tcp.srcport==80))";
        List<String> expected = LabWorld.packets(c.reference(), matching, LabWorld.IDENTITY);
        List<String> got = LabWorld.packets(c.agentFile(), null, LabWorld.IDENTITY);
        assertTrue(expected.size() >= 10, "too little port-80 traffic reached db: " + expected);
        assertFalse(LabWorld.packets(c.reference(), "tcp.port==22 || tcp.port==1433 || udp", "frame.number").isEmpty(),
                "the reference must also hold traffic the filter excludes");
        assertEquals(expected, got);
        assertEquals(expected.size(), c.finalStatus().path("packetsCaptured").asInt());

        List<Integer> capLens = LabWorld.packets(c.agentFile(), null, "frame.cap_len").stream().map(Integer::parseInt).toList();
        assertTrue(capLens.stream().allMatch(len -> len <= 64), "snap length 64 exceeded: " + capLens);
        assertTrue(LabWorld.packets(c.agentFile(), "frame.len > 64", "frame.number").size() > 0, "no frame was long enough to be cut");
    }

    @Test
    void capture_ipRangesAndPortLists_fileHoldsEveryMatchingPacketAndNoOther() throws Exception {
        Captured c = captureWithReference("ranges", """
                {"timeLimitInSeconds":120,"storageLocation":{"filePath":"/var/captures/ranges.cap"},
                 "filters":[{"protocol":"TCP","remoteIPAddress":"198.18.1.1-198.18.1.20","localPort":"1433;22"},
                            {"protocol":"UDP","remoteIPAddress":"198.18.3.1;198.18.9.9","remotePort":"5000-5010"}]}""", () -> {
            world.bash("app", "timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB + "/1433; echo hi >&3; head -c 3 <&3 >/dev/null';"
                    + " timeout 2 bash -c 'echo x > /dev/tcp/" + DB + "/22'; timeout 2 bash -c 'echo x > /dev/tcp/" + DB + "/81';"
                    + " hping3 -2 -s 5005 -k -p 9999 -c 3 -i u100000 " + DB + " >/dev/null 2>&1; true");
            world.bash("fw2", "timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB + "/1433; echo hi >&3; head -c 3 <&3 >/dev/null';"
                    + " hping3 -2 -s 5005 -k -p 9999 -c 3 -i u100000 " + DB + " >/dev/null 2>&1;"
                    + " hping3 -2 -s 5010 -k -p 9999 -c 2 -i u100000 " + DB + " >/dev/null 2>&1;"
                    + " hping3 -2 -s 6000 -k -p 9999 -c 3 -i u100000 " + DB + " >/dev/null 2>&1; true");
        });
        assertEquals("Stopped", c.finalStatus().path("packetCaptureStatus").asText(), c.finalStatus().toString());
        String appRange = "%s>=198.18.1.1 && %s<=198.18.1.20";
        String fw2List = "%s in {198.18.3.1, 198.18.9.9}";
        String matching = "!icmp && ((tcp && ((ip.dst==" + DB + " && " + appRange.formatted("ip.src", "ip.src") + " && tcp.dstport in {1433, 22})"
                + " || (ip.src==" + DB + " && " + appRange.formatted("ip.dst", "ip.dst") + " && tcp.srcport in {1433, 22})))"
                + " || (udp && ((ip.dst==" + DB + " && " + fw2List.formatted("ip.src") + " && udp.srcport>=5000 && udp.srcport<=5010)"
                + " || (ip.src==" + DB + " && " + fw2List.formatted("ip.dst") + " && udp.dstport>=5000 && udp.dstport<=5010))))";
        List<String> expected = LabWorld.packets(c.reference(), matching, LabWorld.IDENTITY);
        List<String> got = LabWorld.packets(c.agentFile(), null, LabWorld.IDENTITY);
        assertTrue(LabWorld.packets(c.reference(), matching + " && udp", "frame.number").size() == 5, "fw2's UDP from 5005 and 5010: " + expected);
        assertTrue(LabWorld.packets(c.reference(), matching + " && tcp.port==22", "frame.number").size() >= 2, "app to 22: " + expected);
        assertTrue(LabWorld.packets(c.reference(), "!icmp && (tcp.port==81 || udp.srcport==6000 || (ip.src==198.18.1.10 && udp))", "frame.number")
                .size() >= 5, "the reference must hold the excluded traffic too");
        assertEquals(expected, got);
    }

    @Test
    void timeLimit_onSilentLink_endsTimeExceeded() throws Exception {
        world.createCapture("silent", "db", """
                {"timeLimitInSeconds":2,"storageLocation":{"filePath":"/var/captures/silent.cap"},
                 "filters":[{"protocol":"UDP","localPort":"7"}]}""");
        JsonNode s = world.awaitFinal("silent", Duration.ofSeconds(60));
        assertEquals("Stopped", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("TimeExceeded", s.path("stopReason").asText(), s.toString());
        assertEquals(0, s.path("packetsCaptured").asInt());
        assertEquals(List.of(), LabWorld.packets(world.hostFile("db", "silent.cap"), null, "frame.number"));
    }

    @Test
    void byteLimit_endsSizeExceededAtTheLimit() throws Exception {
        int limit = 20_000;
        world.createCapture("bytes", "db", """
                {"totalBytesPerSession":%d,"timeLimitInSeconds":120,"storageLocation":{"filePath":"/var/captures/bytes.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(limit));
        world.awaitRunning("bytes");
        // 150 packets of 554 bytes (and db's answers) at 50/s: far more than the limit
        world.bash("fw2", "hping3 -p 1433 -d 500 -c 150 -i u20000 " + DB + " >/dev/null 2>&1; true");
        JsonNode s = world.awaitFinal("bytes", Duration.ofSeconds(60));
        assertEquals("Stopped", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("SizeExceeded", s.path("stopReason").asText(), s.toString());
        long size = Files.size(world.hostFile("db", "bytes.cap"));
        assertTrue(size >= limit && size <= limit + 16_384, "file of " + size + " bytes for a limit of " + limit);
        assertTrue(s.path("bytesWritten").asLong() >= limit, s.toString());
        int packets = LabWorld.packets(world.hostFile("db", "bytes.cap"), null, "frame.number").size();
        assertEquals(s.path("packetsCaptured").asInt(), packets);
        assertTrue(packets < 150, "the capture went on past its limit: " + packets + " packets");
    }

    /**
     * A one-file capture in the 2023-11-01 spelling (continuousCapture false, captureSettings.fileCount 1, localPath)
     * ends when its file reaches fileSizeInBytes; the body gives no totalBytesPerSession, so only the file's limit counts.
     */
    @Test
    void oneFileCapture_endsSizeExceededAtFileSizeInBytes() throws Exception {
        int limit = 20_000;
        world.createCapture("onefile", "db", """
                {"continuousCapture":false,"captureSettings":{"fileCount":1,"fileSizeInBytes":%d},
                 "storageLocation":{"localPath":"/var/captures/onefile.cap"},"filters":[{"protocol":"TCP","localPort":"1433"}]}"""
                .formatted(limit));
        world.awaitRunning("onefile");
        world.bash("fw2", "hping3 -p 1433 -d 500 -c 150 -i u20000 " + DB + " >/dev/null 2>&1; true");
        JsonNode s = world.awaitFinal("onefile", Duration.ofSeconds(60));
        assertEquals("Stopped", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("SizeExceeded", s.path("stopReason").asText(), s.toString());
        long size = Files.size(world.hostFile("db", "onefile.cap"));
        assertTrue(size >= limit && size <= limit + 16_384, "file of " + size + " bytes for a fileSizeInBytes of " + limit);
        int packets = LabWorld.packets(world.hostFile("db", "onefile.cap"), null, "frame.number").size();
        assertEquals(s.path("packetsCaptured").asInt(), packets);
        assertTrue(packets < 150, "the capture went on past its file's limit: " + packets + " packets");
    }

    /** A one-file capture ends TimeExceeded at sessionTimeLimitInSeconds (the body gives no timeLimitInSeconds). */
    @Test
    void oneFileCapture_endsTimeExceededAtSessionTimeLimit() throws Exception {
        world.createCapture("onefiletime", "db", """
                {"continuousCapture":false,"captureSettings":{"fileCount":1,"sessionTimeLimitInSeconds":2},
                 "storageLocation":{"localPath":"/var/captures/onefiletime.cap"},"filters":[{"protocol":"UDP","localPort":"7"}]}""");
        JsonNode s = world.awaitFinal("onefiletime", Duration.ofSeconds(60));
        assertEquals("Stopped", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("TimeExceeded", s.path("stopReason").asText(), s.toString());
        assertEquals(0, s.path("packetsCaptured").asInt());
    }

    @Test
    void stop_endsStoppedByRequest_andTheFileDownloadsFromTheLocalAccountWithRanges() throws Exception {
        world.createCapture("tostore", "db", """
                {"timeLimitInSeconds":120,"storageLocation":{"storageId":"%s","filePath":"/var/captures/tostore.cap"},
                 "filters":[{"protocol":"TCP","localPort":"1433"}]}""".formatted(world.localAccountId()));
        world.awaitRunning("tostore");
        world.bash("app", "for i in 1 2 3; do timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB + "/1433; echo hello >&3; head -c 6 <&3 >/dev/null'; done; true");
        Thread.sleep(1500);
        LabWorld.Reply stop = world.stopCapture("tostore");
        if (stop.status() == 200) {
            // a synchronous 200 means the agent confirmed: the status says so at once, nothing to poll
            assertNull(stop.header("Location"));
            String now = world.status("tostore").path("packetCaptureStatus").asText();
            assertEquals("Stopped", now, "stop answered 200, so the capture has ended");
        } else {
            // 202: its Location answers 202 until the agent confirms, then 200 without a body (never 204)
            LabWorld.Reply last = stop;
            for (int i = 0; i < 100 && last.status() == 202; i++) {
                Thread.sleep(100);
                last = world.send("GET", stop.header("Location"), null);
            }
            assertEquals(200, last.status(), last.body());
        }
        JsonNode s = world.awaitFinal("tostore", Duration.ofSeconds(60));
        assertEquals("Stopped", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("StoppedByRequest", s.path("stopReason").asText());
        assertEquals("done", s.path("uploadState").asText(), s.toString());

        JsonNode pc = world.send("GET", world.watcher() + "/packetCaptures/tostore" + LabWorld.V, null).json();
        JsonNode location = pc.path("properties").path("storageLocation");
        assertEquals(world.localAccountId(), location.path("storageId").asText());
        String storagePath = location.path("storagePath").asText();
        byte[] onHost = Files.readAllBytes(world.hostFile("db", "tostore.cap"));
        assertTrue(LabWorld.packets(world.hostFile("db", "tostore.cap"), "tcp.port==1433", "frame.number").size() >= 15);

        LabWorld.Reply whole = world.send("GET", storagePath, null);
        assertEquals(200, whole.status(), whole.body());
        assertArrayEquals(onHost, whole.response().body());
        LabWorld.Reply range = world.send("GET", storagePath, null, Map.of("Range", "bytes=24-99"));
        assertEquals(206, range.status());
        assertEquals("bytes 24-99/" + onHost.length, range.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(onHost, 24, 100), range.response().body());
        LabWorld.Reply tail = world.send("GET", storagePath, null, Map.of("Range", "bytes=-10"));
        assertEquals(206, tail.status());
        assertArrayEquals(Arrays.copyOfRange(onHost, onHost.length - 10, onHost.length), tail.response().body());
    }

    @Test
    void azureSdk_drivesCreateStatusStopDelete_againstARealAgent() throws Exception {
        var sp = world.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"sdk-lab\"}").json();
        String clientId = sp.path("clientId").asText();
        String secret = sp.path("clientSecret").asText();
        var role = world.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + world.sub + "\"}");
        assertEquals(201, role.status(), role.body());
        String base = world.baseUrl();
        TokenCredential credential = request -> Mono.fromCallable(() -> {
            String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                    + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope="
                    + URLEncoder.encode(request.getScopes().getFirst(), StandardCharsets.UTF_8);
            var r = world.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/adfs/oauth2/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("token: " + r.body());
            var json = netwatcher.arm.Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
            return new AccessToken(json.path("access_token").asText(), OffsetDateTime.now().plusSeconds(json.path("expires_in").asLong()));
        });
        AzureEnvironment env = new AzureEnvironment(Map.of("resourceManagerEndpointUrl", base + "/", "managementEndpointUrl", base + "/",
                "activeDirectoryEndpointUrl", base + "/adfs/", "activeDirectoryResourceId", base + "/"));
        var httpClient = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .sslContext(ControllerAdmin.sslContext(world.controller.caFile()))).build();
        NetworkManager network = NetworkManager.configure().withHttpClient(httpClient)
                .authenticate(credential, new AzureProfile("adfs", world.sub, env));

        NetworkWatcher watcher = network.networkWatchers().getByResourceGroup("NetworkWatcherRG", "NetworkWatcher_westeurope");
        Path captures = LAB.lab().host("db").capturesDirectory();
        java.util.Set<Path> before;
        try (var files = Files.list(captures)) {
            before = files.collect(java.util.stream.Collectors.toSet());
        }
        PacketCapture pc = watcher.packetCaptures().define("sdkpc").withTarget(world.vmId("db"))
                .withStorageAccountId(world.localAccountId())
                .withTimeLimitInSeconds(120)
                .definePacketCaptureFilter().withProtocol(PcProtocol.TCP).withLocalPort(1433).attach()
                .create();
        assertEquals("Succeeded", pc.provisioningState().toString());
        assertEquals(PcStatus.RUNNING, pc.getStatus().packetCaptureStatus());
        world.bash("app", "timeout 5 bash -c 'exec 3<>/dev/tcp/" + DB + "/1433; echo sdk >&3; head -c 4 <&3 >/dev/null'; true");
        pc.stop();
        var status = watcher.packetCaptures().getByName("sdkpc").getStatus();
        assertEquals(PcStatus.STOPPED, status.packetCaptureStatus());
        assertEquals("StoppedByRequest", status.stopReason());
        watcher.packetCaptures().deleteByName("sdkpc");
        assertTrue(watcher.packetCaptures().list().stream().noneMatch(p -> p.name().equals("sdkpc")));
        // the real agent took it: its file (no filePath given: <key>.cap) holds the exchange, and deleting kept it
        List<Path> created;
        try (var files = Files.list(captures)) {
            created = files.filter(p -> !before.contains(p) && p.toString().endsWith(".cap")).toList();
        }
        assertEquals(1, created.size(), "new capture files: " + created);
        assertTrue(LabWorld.packets(created.getFirst(), "tcp.port==1433", "frame.number").size() >= 6);
    }
}
