package netwatcher.controller;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evidence over the real protocol and routes: orders carry the spec, an upload whose bytes differ from
 * the announced SHA-256 or larger than the limit is refused and not stored, a good one is stored once and listed in the result,
 * downloadable with a token (and not without), and an agent outside the check cannot upload.
 */
@Tag("e2e")
class EvidenceApiTest {
    static TestController c;
    static TestAgent app;
    static TestAgent db;
    static String nw;
    static final String V = "?api-version=2025-05-01";
    static final byte[] FILE = new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 1, 0, 0, 1, 0, 0, 0}; // an empty pcap file: the 24-byte header

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        app = new TestAgent(c, "lab", "app", "westeurope", List.of("198.18.1.10/24"));
        db = new TestAgent(c, "lab", "db", "westeurope", List.of("198.18.3.10/24"));
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static CheckOrder order(TestAgent a, CheckRole role) throws Exception {
        for (int i = 0; i < 90; i++) {
            var o = a.orders(-1, 1).checks().stream().filter(x -> x.role() == role).findFirst();
            if (o.isPresent()) return o.get();
        }
        throw new AssertionError("no " + role + " order for " + a.vmName);
    }

    static HttpResponse<String> put(TestAgent agent, String url, byte[] body) throws Exception {
        return c.http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", agent.bearer())
                .header("Content-Range", "bytes 0-" + (body.length - 1) + "/" + body.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void upload_isVerified_stored_andListedInTheResult() throws Exception {
        db.orders(-1, 0);
        var post = c.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":1433}}""".formatted(app.vmId, db.vmId));
        assertEquals(202, post.status(), post.body());
        CheckOrder observer = order(db, CheckRole.OBSERVER);
        assertNotNull(observer.evidence(), "observers capture too");
        assertEquals(List.of("198.18.1.10"), observer.evidence().sourceAddresses());
        db.reportCheck(new CheckReport(observer.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
        CheckOrder source = order(app, CheckRole.SOURCE);
        var spec = source.evidence();
        assertNotNull(spec);
        assertTrue(spec.uploadUrl().endsWith("/agent/v1/checks/" + source.key() + "/evidence"), spec.uploadUrl());
        assertTrue(spec.storagePath().startsWith(c.url("/storage/netwatcherlocal/network-watcher-logs/connectivity-evidence/"
                + source.key() + "/lab/app.pcap")), spec.storagePath());

        String sha = sha256(FILE);
        byte[] other = FILE.clone();
        other[23] = 9;
        var refused = put(app, spec.uploadUrl() + "?sha256=" + sha, other);
        assertEquals(409, refused.statusCode(), refused.body());
        assertEquals(404, c.send("GET", spec.storagePath(), null).status(), "a refused upload leaves no file");
        var huge = c.http.send(HttpRequest.newBuilder(URI.create(spec.uploadUrl())).header("Authorization", app.bearer())
                .header("Content-Range", "bytes 0-23/1073741824").PUT(HttpRequest.BodyPublishers.ofByteArray(FILE)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, huge.statusCode(), "larger than an evidence file can be: " + huge.body());
        var stored = put(app, spec.uploadUrl() + "?sha256=" + sha, FILE);
        assertEquals(200, stored.statusCode(), stored.body());
        assertTrue(stored.body().contains("\"complete\":true"), stored.body());
        var again = put(app, spec.uploadUrl() + "?sha256=" + sha, FILE);
        assertEquals(200, again.statusCode(), "the same file again completes: " + again.body());

        Instant t = Instant.parse("2026-12-03T05:00:00Z");
        Flow resolved = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", null, 1433, null, null);
        app.reportCheck(new CheckReport(source.key(), CheckRole.SOURCE, ReportState.DONE, resolved,
                new CheckReport.ProbeSummary(100, 0, 1, 1, 1, Map.of("connected", 100), null, null), List.of(), List.of(), null, null, null,
                new EvidenceReport(EvidenceReport.CAPTURED, null, 0, FILE.length, null, null, sha, EvidenceReport.UPLOAD_PENDING, "tcp")));
        CheckOrder finish = order(db, CheckRole.OBSERVER);
        assertTrue(finish.evidence().keep(), "the destination keeps its file even when empty");
        db.reportCheck(new CheckReport(finish.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null,
                EvidenceReport.unavailable("this host cannot capture: test")));

        JsonNode result = null;
        for (int i = 0; i < 50 && result == null; i++) {
            var r = c.send("GET", post.header("Location"), null);
            if (r.status() == 200) result = r.json();
            else Thread.sleep(100);
        }
        assertNotNull(result);
        JsonNode evidence = result.path("evidence");
        assertEquals(2, evidence.size(), evidence.toString());
        JsonNode a = evidence.get(0);
        assertEquals(app.vmId, a.path("vmId").asText());
        assertEquals("Source", a.path("role").asText());
        assertEquals("stored", a.path("uploadState").asText(), a.toString());
        assertEquals(spec.storagePath(), a.path("storagePath").asText());
        JsonNode d = evidence.get(1);
        assertEquals("Destination", d.path("role").asText());
        assertEquals("unavailable", d.path("state").asText());
        assertEquals("this host cannot capture: test", d.path("reason").asText());
        assertTrue(d.path("storagePath").isMissingNode());

        var download = c.http.send(HttpRequest.newBuilder(URI.create(spec.storagePath())).header("Authorization", "Bearer " + c.token)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertArrayEquals(FILE, download.body());
        var anonymous = c.http.send(HttpRequest.newBuilder(URI.create(spec.storagePath())).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
    }

    @Test
    void azureSdk_parsesAResultWithEvidence() throws Exception {
        var network = SdkClients.network(c);
        var watcher = network.networkWatchers().getByResourceGroup("NetworkWatcherRG", "NetworkWatcher_westeurope");
        java.util.concurrent.atomic.AtomicReference<String> storagePath = new java.util.concurrent.atomic.AtomicReference<>();
        Thread player = Thread.ofPlatform().daemon().start(() -> {
            try {
                CheckOrder o = order(db, CheckRole.OBSERVER);
                db.reportCheck(new CheckReport(o.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
                CheckOrder src = order(app, CheckRole.SOURCE);
                storagePath.set(src.evidence().storagePath());
                assertEquals(200, put(app, src.evidence().uploadUrl() + "?sha256=" + sha256(FILE), FILE).statusCode());
                app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE,
                        new Flow("Tcp", "198.18.1.10", 40001, "198.18.3.10", null, 1433, null, null),
                        new CheckReport.ProbeSummary(100, 0, 1, 2, 5, Map.of("connected", 100), null, null),
                        List.of(new CheckReport.TraceHop(1, "198.18.3.10", List.of(0.4), "destination", null)), List.of(), null, null, null,
                        new EvidenceReport(EvidenceReport.CAPTURED, null, 0, FILE.length, null, null, sha256(FILE),
                                EvidenceReport.UPLOAD_PENDING, "tcp")));
                CheckOrder f = order(db, CheckRole.OBSERVER);
                db.reportCheck(new CheckReport(f.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        db.orders(-1, 0);
        var info = watcher.checkConnectivity().toDestinationResourceId(db.vmId).toDestinationPort(1433)
                .fromSourceVirtualMachine(app.vmId).execute();
        player.join(30_000);
        assertEquals("Reachable", info.connectionStatus().toString());
        assertEquals(200, c.send("GET", storagePath.get(), null).status(), "the result the SDK parsed listed a stored file");
    }

    @Test
    void upload_forACheckTheAgentHasNoPartIn_isRefused() throws Exception {
        var r = put(db, c.url("/agent/v1/checks/k-00000000-0000-0000-0000-000000000000/evidence"), FILE);
        assertEquals(404, r.statusCode(), r.body());
    }
}
