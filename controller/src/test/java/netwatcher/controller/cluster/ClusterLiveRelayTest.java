package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.LiveOrder;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import netwatcher.pki.CertificateAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The live stream through any controller of a cluster (two real controllers on one PostgreSQL, one CA as
 * docs/deployment.md prepares them): the agent long-polls A, the reader streams through B, B relays from A over the
 * internal route (TLS verified with the cluster's CA, a peer token), and the records the agent posts to A reach B's
 * reader. The internal route refuses whatever is not a peer's token for that very host capture; a peer that is gone
 * at open time is {@code 503 LiveStreamPeerUnreachable} with {@code Retry-After}; a peer that dies mid-stream ends
 * that host's part, told in-band, instead of hanging.
 */
@Tag("external")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLiveRelayTest {
    static final String V = "?api-version=2025-05-01";
    static TestDatabase pg;
    static Path ca;
    static TestController a;
    static TestController b;

    @BeforeAll
    static void start() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        ca = Files.createTempDirectory("nwrelay-ca");
        CertificateAuthority.loadOrCreate(ca, "live relay test CA", Clock.systemUTC());
        a = member();
        b = member();
    }

    static TestController member() throws Exception {
        Path dir = Files.createTempDirectory("nwrelay");
        ClusterDirectory.prepare(dir, ca, pg, Map.of("publicUrl", "https://nw.cluster.test:8443"));
        return new TestController(dir, Duration.ofSeconds(30), Map.of(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        pg.close();
        try (var walk = Files.walk(ca)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String bearer() { return "Bearer " + a.token; }

    static String pc(String name) {
        return "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope"
                + "/packetCaptures/" + name;
    }

    /** Creates capture {@code name} on {@code agent}'s VM through A and reports it Running to A; returns its host capture key. */
    static String running(TestAgent agent, String name) throws Exception {
        var put = a.send("PUT", pc(name) + V, """
                {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/%s.cap"}}}""".formatted(agent.vmId, name), bearer());
        assertEquals(201, put.status(), put.body());
        CaptureOrder order = agent.orders(-1, 0).captures().stream().filter(o -> o.filePath() != null && o.filePath().contains(name))
                .findFirst().orElseThrow();
        report(agent, order.key(), CaptureStatus.Running, null);
        return order.key();
    }

    static void report(TestAgent agent, String key, CaptureStatus status, StopReason reason) throws Exception {
        Instant now = Instant.now();
        var r = new CaptureReport(key, status, reason, List.of(), null, now.minusSeconds(5), status == CaptureStatus.Running ? null : now,
                3, 300, 0, 0, 3, null, null, "/var/captures/x.cap", UploadState.NONE, 0, null, null);
        var sent = a.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(r))), agent.bearer());
        assertEquals(204, sent.status(), sent.body());
    }

    /** A classic pcap header (little-endian, nanoseconds, Ethernet) and records whose data start with {@code tag-i-}. */
    static byte[] pcap(String tag, int from, int to) {
        int size = 60;
        ByteBuffer buf = ByteBuffer.allocate(24 + (to - from + 1) * (16 + size)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (int i = from; i <= to; i++) {
            byte[] data = Arrays.copyOf((tag + "-" + i + "-").getBytes(StandardCharsets.US_ASCII), size);
            buf.putInt(1_800_000_000 + i).putInt(i).putInt(size).putInt(size).put(data);
        }
        return buf.array();
    }

    /** Posts {@code body} as the agent's live post to the URL its orders name. */
    static String post(TestAgent agent, LiveOrder order, long offset, byte[] body, boolean last) throws Exception {
        URI uri = URI.create(order.url() + "?file=x.cap&offset=" + offset + (last ? "&last=true" : ""));
        var r = a.http.send(HttpRequest.newBuilder(uri).header("Authorization", agent.bearer()).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    static HttpResponse<InputStream> openOnB(String name) throws Exception {
        return b.http.send(HttpRequest.newBuilder(URI.create(b.url(pc(name) + "/stream" + V))).header("Authorization", bearer()).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    static CompletableFuture<Void> drain(InputStream in, ByteArrayOutputStream sink) {
        return CompletableFuture.runAsync(() -> {
            byte[] buf = new byte[1 << 16];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static String text(ByteArrayOutputStream sink) {
        synchronized (sink) {
            return sink.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static void await(ByteArrayOutputStream sink, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!text(sink).contains(what) && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(text(sink).contains(what), "the stream shows " + what);
    }

    /** The live order of {@code key} in the agent's orders on A, once A watches it (the relay's request reached A). */
    static LiveOrder liveOrder(TestAgent agent, String key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Orders o = agent.orders(-1, 0);
            var live = o.live().stream().filter(l -> l.key().equals(key)).findFirst();
            if (live.isPresent()) return live.get();
            Thread.sleep(50);
        }
        throw new AssertionError("A never ordered the agent to send " + key + " live");
    }

    @Test
    @Order(1)
    void internalRoute_refusesCallersThatAreNotPeers_401or403_andAcceptsAPeerTokenForThatKeyOnly() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmrelayauth", "westeurope");
        String path = "/internal/v1/live/c-nonexistent";
        var none = a.send("GET", path, null, null);
        assertEquals(401, none.status(), none.body());
        assertEquals("AuthenticationFailed", none.errorCode());
        var admin = a.send("GET", path, null, bearer());
        assertEquals(403, admin.status(), admin.body());
        assertEquals("AuthorizationFailed", admin.errorCode());
        var asAgent = a.send("GET", path, null, agent.bearer());
        assertEquals(403, asAgent.status(), asAgent.body());
        var forged = a.send("GET", path, null, "NwPeer v1.someone." + (Instant.now().getEpochSecond() + 30) + ".AAAA");
        assertEquals(401, forged.status(), forged.body());

        try (Database db = Database.open(pg.config())) {
            PeerTokens cluster = PeerTokens.of(db, "test-peer", Clock.systemUTC());
            var otherKey = a.send("GET", path, null, cluster.header("live-relay", "c-other"));
            assertEquals(401, otherKey.status(), "a token for another host capture: " + otherKey.body());
            var otherPurpose = a.send("GET", path, null, cluster.header("something-else", "c-nonexistent"));
            assertEquals(401, otherPurpose.status(), otherPurpose.body());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            var otherCluster = a.send("GET", path, null, new PeerTokens(key, "test-peer", Clock.systemUTC()).header("live-relay", "c-nonexistent"));
            assertEquals(401, otherCluster.status(), "another cluster's secret: " + otherCluster.body());
            var good = a.send("GET", path, null, cluster.header("live-relay", "c-nonexistent"));
            assertEquals(404, good.status(), "a peer's token passes; the key does not exist: " + good.body());
        }
    }

    @Test
    @Order(2)
    void streamThroughB_ofACaptureWhoseAgentPollsA_getsTheRecordsTheAgentPostsToA_andEndsWithTheCapture() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmrelay", "westeurope");
        String key = running(agent, "relayed");
        HttpResponse<InputStream> r = openOnB("relayed");
        assertEquals(200, r.statusCode());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<Void> reading = drain(r.body(), sink);

        LiveOrder order = liveOrder(agent, key);
        assertTrue(order.url().startsWith(a.controller.registry().selfUrl().toString()),
                "the agent posts to A's own URL, not the balancer's: " + order.url());
        byte[] first = pcap("relay", 1, 3);
        assertTrue(post(agent, order, 24, first, false).contains("true"), "A watches it for B");
        await(sink, "relay-3-");
        assertTrue(text(sink).contains("vmrelay/eth0"), "the host's interface block");
        byte[] more = pcap("relay", 4, 6);
        post(agent, order, 24 + first.length - 24, more, false);
        await(sink, "relay-6-");
        assertTrue(!reading.isDone(), "open while the capture runs");

        post(agent, order, 24 + 2L * (first.length - 24), Arrays.copyOf(more, 24), true); // the agent's last post
        report(agent, key, CaptureStatus.Stopped, StopReason.StoppedByRequest);
        reading.get(20, TimeUnit.SECONDS);
        assertTrue(text(sink).contains("packets delivered"), "the closing statistics");
    }

    @Test
    @Order(3)
    void peerGoneAtOpenTime_is503LiveStreamPeerUnreachable_withRetryAfter() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmrelaygone", "westeurope");
        running(agent, "gone");
        agent.orders(-1, 0); // a fresh lease, held by A
        try (Connection c = DriverManager.getConnection(pg.config().jdbcUrl(), pg.config().user(), pg.config().password());
             var st = c.prepareStatement("UPDATE nw_agent SET controller_id = 'controller-that-is-gone' WHERE controller_id = ?")) {
            st.setString(1, a.controller.controllerId());
            assertTrue(st.executeUpdate() >= 1);
        }
        var refused = b.send("GET", pc("gone") + "/stream" + V, null, bearer());
        assertEquals(503, refused.status(), refused.body());
        assertEquals("LiveStreamPeerUnreachable", refused.errorCode());
        assertEquals("10", refused.header("Retry-After"));
        assertTrue(refused.body().contains("vmrelaygone") && refused.body().contains("controller-that-is-gone"), refused.body());
        agent.orders(-1, 0); // back on A
    }

    @Test
    @Order(4)
    void peerDiesMidStream_theReaderIsToldAndTheStreamEnds_neverHangs() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmrelaydies", "westeurope");
        String key = running(agent, "dies");
        HttpResponse<InputStream> r = openOnB("dies");
        assertEquals(200, r.statusCode());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<Void> reading = drain(r.body(), sink);
        LiveOrder order = liveOrder(agent, key);
        post(agent, order, 24, pcap("dies", 1, 2), false);
        await(sink, "dies-2-");

        TestController dying = a;
        a = null;
        CompletableFuture.runAsync(() -> {
            try {
                dying.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        reading.get(30, TimeUnit.SECONDS); // its only host is lost: the stream ends
        String got = text(sink);
        assertTrue(got.contains("the relay from controller " + dying.controller.controllerId()) && got.contains("was lost"), got);
        assertNotNull(b.controller.registry());
    }
}
