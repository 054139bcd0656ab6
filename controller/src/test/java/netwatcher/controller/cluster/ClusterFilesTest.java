package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import netwatcher.arm.Json;
import netwatcher.controller.Controller;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.agent.Reports;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ReportState;
import netwatcher.testing.azurite.AzuriteServer;
import netwatcher.testing.postgres.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Files in a cluster, with two real controllers on one PostgreSQL and a real Azurite: the controller-local storage
 * account is neither offered nor accepted, a capture stored in a blob account is uploaded by an agent of A, checked
 * whichever controller has its report, and downloads byte for byte through what B answers; connectivity-check
 * evidence uploaded half through A and half through B downloads through either under the public URL; and VM lists
 * and observer choice read agent presence in one statement, counted in PostgreSQL's statement log.
 */
@Tag("external")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFilesTest {
    static final String V = "?api-version=2025-05-01";
    static final String VMV = "?api-version=2024-07-01";
    static final String PUBLIC = "https://nw.cluster.test:8443";
    static final String BLOB = "nwblob";
    static final int VMS = 30;
    static TestDatabase pg;
    static AzuriteServer azurite;
    static Path azuriteDir;
    static TestController a;
    static TestController b;
    static String nw;

    @BeforeAll
    static void start() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        String url = pg.config().jdbcUrl();
        String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        try (Database db = pg.open()) {
            // every statement of this database's sessions goes to the server's log: the presence reads are counted there
            db.update("ALTER DATABASE " + name + " SET log_statement = 'all'");
        }
        azuriteDir = Files.createTempDirectory("nwt-azurite-");
        azurite = AzuriteServer.start(azuriteDir);
        Map<String, String> settings = new HashMap<>(Map.of("database.url", url, "database.user", pg.config().user(),
                "database.password", pg.config().password(), "publicUrl", PUBLIC, "agent-lost-seconds", "5"));
        settings.put("storage.blob." + BLOB, azurite.connectionString());
        a = new TestController(Duration.ofSeconds(30), settings);
        b = new TestController(Duration.ofSeconds(30), settings);
        nw = "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (azurite != null) azurite.close();
        if (azuriteDir != null) {
            try (var walk = Files.walk(azuriteDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        pg.close();
    }

    static String bearer() { return "Bearer " + a.token; }

    static String account(String name) {
        return "/subscriptions/" + a.sub + "/resourceGroups/" + Controller.STORAGE_GROUP + "/providers/Microsoft.Storage/storageAccounts/" + name;
    }

    /** A URL under the public URL, as controller {@code c} serves it (the public name is not resolvable here). */
    static String via(TestController c, String publicUrl) {
        assertTrue(publicUrl.startsWith(PUBLIC + "/"), publicUrl);
        return c.url(publicUrl.substring(PUBLIC.length()));
    }

    static long statements(String sqlText) {
        String log = PostgresServer.shared().log();
        long n = 0;
        for (int i = log.indexOf(sqlText); i >= 0; i = log.indexOf(sqlText, i + 1)) n++;
        return n;
    }

    static final String ONE = "SELECT last_seen_at, agent_version, lease_until FROM nw_agent WHERE vm_key = $1 AND revoked = FALSE";
    static final String MANY = "SELECT vm_key, last_seen_at, agent_version, lease_until FROM nw_agent WHERE revoked = FALSE AND vm_key IN (";

    @Test
    @Order(2)
    void vmListAndObserverChoice_readPresenceInOneStatement_notOnePerVm() throws Exception {
        List<TestAgent> agents = new ArrayList<>();
        for (int i = 0; i < VMS; i++) agents.add(new TestAgent(a, "fleet", "vm" + i, "westeurope", List.of("198.18.9." + (10 + i) + "/24")));
        Thread.sleep(6000); // every lease from the enrollments ended (agent-lost-seconds 5)
        for (TestAgent agent : agents.subList(0, VMS / 2)) agent.orders(-1, 0); // half of them in contact (through A), half not
        String vms = "/subscriptions/" + a.sub + "/resourceGroups/fleet/providers/Microsoft.Compute/virtualMachines";

        // before: what a client learns of agent health VM by VM (one extension GET per VM) costs a statement per VM
        long one = statements(ONE);
        long many = statements(MANY);
        Map<String, String> perVm = new HashMap<>();
        for (TestAgent agent : agents) {
            var r = b.send("GET", agent.vmId + "/extensions/AzureNetworkWatcherExtension" + VMV, null, bearer());
            assertEquals(200, r.status(), r.body());
            perVm.put(agent.vmId, r.json().path("properties").path("instanceView").path("statuses").get(0).path("displayStatus").asText());
        }
        long perVmStatements = statements(ONE) - one;
        assertEquals(VMS, perVmStatements, "one presence read per VM");
        assertEquals(many, statements(MANY));

        // after: the list with the extensions inline reads every VM's presence in one statement
        one = statements(ONE);
        var list = b.send("GET", vms + VMV + "&$expand=instanceView", null, bearer());
        assertEquals(200, list.status(), list.body());
        assertEquals(VMS, list.json().path("value").size());
        assertEquals(1, statements(MANY) - many, "one presence read for the whole list");
        assertEquals(one, statements(ONE), "and none per VM");
        for (JsonNode vm : list.json().path("value")) {
            JsonNode ext = vm.path("resources").get(0);
            assertTrue(ext.path("id").asText().endsWith("/extensions/AzureNetworkWatcherExtension"), ext.toString());
            assertEquals(perVm.get(vm.path("id").asText()),
                    ext.path("properties").path("instanceView").path("statuses").get(0).path("displayStatus").asText(), vm.path("name").asText());
        }
        assertEquals(VMS / 2, perVm.values().stream().filter("Connected"::equals).count(), perVm.toString());
        // without $expand the list is as before: references only, no presence read
        var plain = b.send("GET", vms + VMV, null, bearer());
        assertFalse(plain.json().path("value").get(0).path("resources").get(0).has("properties"));
        assertEquals(1, statements(MANY) - many);

        // a connectivity check through B choosing its observers among the subscription's VMs: one read for all candidates
        for (TestAgent agent : agents.subList(0, VMS / 2)) agent.orders(-1, 0); // still in contact
        many = statements(MANY);
        TestAgent source = agents.getFirst();
        var post = b.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"address":"198.18.9.11","port":80}}""".formatted(source.vmId), bearer());
        assertEquals(202, post.status(), post.body());
        assertEquals(1, statements(MANY) - many, "observer choice: one presence read");
        CheckOrder observer = order(agents.get(1), CheckRole.OBSERVER);
        assertNotNull(observer, "an agent in contact through A observes the check B created");
        assertTrue(agents.get(VMS - 1).orders(-1, 0).checks().isEmpty(), "an agent out of contact was not chosen");
        System.out.printf("presence reads, %d VMs on PostgreSQL: extension GET per VM %d statements; VM list $expand=instanceView 1;"
                + " connectivity check observer choice 1%n", VMS, perVmStatements);
    }

    @Test
    @Order(3)
    void localAccount_isNotOffered_andACaptureNamingItIsRefused_onEveryController() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmlocal", "westeurope");
        for (TestController c : List.of(a, b)) {
            var list = c.send("GET", "/subscriptions/" + a.sub + "/providers/Microsoft.Storage/storageAccounts?api-version=2023-01-01", null, bearer());
            assertEquals(200, list.status(), list.body());
            List<String> names = new ArrayList<>();
            list.json().path("value").forEach(x -> names.add(x.path("name").asText()));
            assertEquals(List.of(BLOB), names);
            assertEquals(404, c.send("GET", account(Controller.LOCAL_ACCOUNT) + "?api-version=2023-01-01", null, bearer()).status());
            assertEquals(200, c.send("GET", account(BLOB) + "?api-version=2023-01-01", null, bearer()).status());

            var refused = c.send("PUT", nw + "/packetCaptures/local" + V, captureBody(agent.vmId, account(Controller.LOCAL_ACCOUNT)), bearer());
            assertEquals(400, refused.status(), refused.body());
            assertEquals("StorageAccountNotShared", refused.errorCode());
            JsonNode error = refused.json().path("error");
            assertEquals("properties.storageLocation.storageId", error.path("target").asText());
            assertTrue(error.path("message").asText().contains("storageLocation.storageId"), error.toString());
            assertTrue(error.path("message").asText().contains(account(BLOB)), "names the account to use instead: " + error);
            // and changed nothing
            assertEquals(404, a.send("GET", nw + "/packetCaptures/local" + V, null, bearer()).status());
            assertEquals(404, b.send("GET", nw + "/packetCaptures/local" + V, null, bearer()).status());
        }
        assertTrue(agent.orders(-1, 0).captures().isEmpty());
    }

    @Test
    @Order(4)
    void blobCapture_uploadedByAnAgentOfA_isCheckedWithItsReportOnB_andDownloadsByteIdenticalThroughB() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmblob", "westeurope");
        var created = b.send("PUT", nw + "/packetCaptures/blob1" + V, captureBody(agent.vmId, account(BLOB)), bearer());
        assertEquals(201, created.status(), created.body());
        CaptureOrder order = agent.orders(-1, 0).captures().stream().filter(o -> o.captureId().endsWith("/blob1")).findFirst().orElseThrow();
        assertEquals(UploadTarget.BLOB, order.upload().kind());

        byte[] data = new byte[300_000];
        new Random(13).nextBytes(data);
        HttpClient plain = HttpClient.newHttpClient();
        int status = 0;
        for (int i = 0; i < 100 && status != 201; i++) { // the container is made in the background
            status = plain.send(HttpRequest.newBuilder(URI.create(order.upload().url())).header("x-ms-blob-type", "BlockBlob")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            if (status != 201) Thread.sleep(100);
        }
        assertEquals(201, status, "uploaded to the blob account with the SAS A handed out");

        // the agent reports done through B: B (or the leader) checks the blob, whichever controller took the upload
        TestAgent onB = TestAgent.attach(b, agent.vmName, agent.vmId, agent.bearer());
        Instant now = Instant.now();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        var report = new CaptureReport(order.key(), CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(), null, now.minusSeconds(5), now,
                3, data.length, 0, 0, 3, null, null, "/var/captures/x.cap", UploadState.DONE, data.length, sha, null);
        var sent = b.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(report))), onB.bearer());
        assertEquals(204, sent.status(), sent.body());

        JsonNode settled = null;
        for (int i = 0; i < 300 && settled == null; i++) {
            JsonNode s = a.send("POST", nw + "/packetCaptures/blob1/queryStatus" + V, null, bearer()).json();
            if (!"verifying".equals(s.path("uploadState").asText())) settled = s;
            else Thread.sleep(100);
        }
        assertNotNull(settled, "the upload was checked");
        assertEquals("done", settled.path("uploadState").asText(), settled.toString());
        assertEquals(sha, settled.path("fileSha256").asText());
        JsonNode throughB = b.send("POST", nw + "/packetCaptures/blob1/queryStatus" + V, null, bearer()).json();
        for (String field : List.of("packetCaptureStatus", "stopReason", "uploadState", "fileSha256", "packetCaptureError")) {
            assertEquals(settled.path(field), throughB.path(field), field + " through B");
        }
        assertEquals("Stopped", settled.path("packetCaptureStatus").asText());

        String storagePath = b.send("GET", nw + "/packetCaptures/blob1" + V, null, bearer()).json().path("properties")
                .path("storageLocation").path("storagePath").asText();
        assertEquals(a.send("GET", nw + "/packetCaptures/blob1" + V, null, bearer()).json().path("properties")
                .path("storageLocation").path("storagePath").asText(), storagePath);
        assertTrue(storagePath.startsWith(azurite.blobEndpoint() + "/"), storagePath);
        String blobPath = storagePath.substring(azurite.blobEndpoint().length() + 1);
        byte[] downloaded = new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder().build()).buildClient()
                .getBlobContainerClient(blobPath.substring(0, blobPath.indexOf('/')))
                .getBlobClient(blobPath.substring(blobPath.indexOf('/') + 1)).downloadContent().toBytes();
        assertArrayEquals(data, downloaded);
    }

    @Test
    @Order(1) // first: the check's observers are every agent in contact, and this one has no others to wait for
    void evidence_uploadedHalfThroughAHalfThroughB_downloadsThroughEitherUnderThePublicUrl() throws Exception {
        TestAgent app = new TestAgent(a, "ev", "app", "westeurope", List.of("198.18.8.10/24"));
        TestAgent db = new TestAgent(a, "ev", "db", "westeurope", List.of("198.18.8.20/24"));
        TestAgent dbOnB = TestAgent.attach(b, db.vmName, db.vmId, db.bearer());
        app.orders(-1, 0);
        db.orders(-1, 0);
        var post = b.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":1433}}""".formatted(app.vmId, db.vmId), bearer());
        assertEquals(202, post.status(), post.body());
        CheckOrder observer = order(db, CheckRole.OBSERVER);
        dbOnB.reportCheck(new CheckReport(observer.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
        CheckOrder source = order(app, CheckRole.SOURCE);
        var spec = source.evidence();
        assertNotNull(spec);
        assertTrue(spec.uploadUrl().startsWith(PUBLIC + "/agent/v1/checks/"), spec.uploadUrl());
        assertTrue(spec.storagePath().startsWith(PUBLIC + "/storage/" + Controller.LOCAL_ACCOUNT + "/"), spec.storagePath());

        byte[] file = new byte[6000];
        new Random(5).nextBytes(file);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        assertEquals(200, put(a, app, via(a, spec.uploadUrl()) + "?sha256=" + sha, file, 0, 2500).statusCode());
        var resume = b.send("GET", via(b, spec.uploadUrl()), null, app.bearer());
        assertEquals(200, resume.status(), resume.body());
        assertEquals(2500, resume.json().path("received").asLong(), "B knows where the upload taken by A stands");
        assertEquals(404, b.send("GET", via(b, spec.storagePath()), null, bearer()).status(), "not a file before it is complete");
        var done = put(b, app, via(b, spec.uploadUrl()) + "?sha256=" + sha, file, 2500, file.length);
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(done.body().contains("\"complete\":true"), done.body());

        app.reportCheck(new CheckReport(source.key(), CheckRole.SOURCE, ReportState.DONE,
                new Flow("Tcp", "198.18.8.10", 40000, "198.18.8.20", null, 1433, null, null),
                new CheckReport.ProbeSummary(100, 0, 1, 1, 1, Map.of("connected", 100), null, null), List.of(), List.of(), null, null, null,
                new EvidenceReport(EvidenceReport.CAPTURED, null, 0, file.length, null, null, sha, EvidenceReport.UPLOAD_PENDING, "tcp")));
        CheckOrder finish = order(db, CheckRole.OBSERVER);
        dbOnB.reportCheck(new CheckReport(finish.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null,
                EvidenceReport.unavailable("this host cannot capture: test")));

        JsonNode result = null;
        for (int i = 0; i < 100 && result == null; i++) {
            var r = a.send("GET", via(a, post.header("Location")), null, bearer());
            if (r.status() == 200) result = r.json();
            else Thread.sleep(100);
        }
        assertNotNull(result, "the check finished");
        JsonNode entry = result.path("evidence").get(0);
        assertEquals("stored", entry.path("uploadState").asText(), entry.toString());
        assertEquals(spec.storagePath(), entry.path("storagePath").asText());
        for (TestController c : List.of(a, b)) {
            var download = c.http.send(HttpRequest.newBuilder(URI.create(via(c, spec.storagePath()))).header("Authorization", bearer())
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertArrayEquals(file, download.body());
            var ranged = c.http.send(HttpRequest.newBuilder(URI.create(via(c, spec.storagePath()))).header("Authorization", bearer())
                    .header("Range", "bytes=10-19").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, ranged.statusCode());
            assertArrayEquals(java.util.Arrays.copyOfRange(file, 10, 20), ranged.body());
            try (var walk = Files.walk(c.dir)) {
                assertTrue(walk.noneMatch(p -> p.toString().contains("connectivity-evidence")), "no evidence on a controller's disk");
            }
        }
    }

    @Test
    @Order(5)
    void aControllerWithoutABlobAccount_starts_offersNoAccount_andSaysWhatToConfigure() throws Exception {
        String url = pg.config().jdbcUrl();
        try (TestController c = new TestController(Duration.ofSeconds(30), Map.of("database.url", url, "database.user", pg.config().user(),
                "database.password", pg.config().password(), "publicUrl", PUBLIC))) {
            assertTrue(c.controller.notices().stream().anyMatch(n -> n.contains("without a blob storage account")
                    && n.contains("storage.blob.NAME")), c.controller.notices().toString());
            assertTrue(a.controller.notices().isEmpty(), "a controller with a blob account has nothing to say");
            var list = c.send("GET", "/subscriptions/" + a.sub + "/providers/Microsoft.Storage/storageAccounts?api-version=2023-01-01", null,
                    bearer());
            assertEquals(200, list.status(), list.body());
            assertEquals(0, list.json().path("value").size(), list.body());
            TestAgent agent = new TestAgent(a, "lab", "vmnoblob", "westeurope");
            var refused = c.send("PUT", nw + "/packetCaptures/noblob" + V, captureBody(agent.vmId, account(Controller.LOCAL_ACCOUNT)), bearer());
            assertEquals(400, refused.status(), refused.body());
            assertEquals("StorageAccountNotShared", refused.errorCode());
            String message = refused.json().path("error").path("message").asText();
            assertTrue(message.contains("storage.blob.NAME") && message.contains("filePath"), message);
            // a capture that keeps its file on the VM needs no storage account
            var onVm = c.send("PUT", nw + "/packetCaptures/noblob" + V, """
                    {"properties":{"target":"%s","timeLimitInSeconds":60,"storageLocation":{"filePath":"/var/captures/x.cap"}}}"""
                    .formatted(agent.vmId), bearer());
            assertEquals(201, onVm.status(), onVm.body());
        }
    }

    @Test
    @Order(6)
    void uploadIntoALocalAccountFromBeforeTheCluster_isCheckedOnlyByTheControllerWhoseDiskHoldsIt() throws Exception {
        // a capture whose file went to A's own netwatcherlocal directory before A joined the cluster: made here from a
        // blob capture whose row is moved to the local account (the API no longer creates one)
        TestAgent agent = new TestAgent(a, "lab", "vmolder", "westeurope");
        assertEquals(201, b.send("PUT", nw + "/packetCaptures/older" + V, captureBody(agent.vmId, account(BLOB)), bearer()).status());
        CaptureOrder order = agent.orders(-1, 0).captures().stream().filter(o -> o.captureId().endsWith("/older")).findFirst().orElseThrow();
        String localKey = netwatcher.arm.ArmResourceId.parse(account(Controller.LOCAL_ACCOUNT), "id").key();
        String blobPath;
        try (Database db = pg.open()) {
            assertEquals(1, db.update("UPDATE nw_capture SET storage_account_key = ? WHERE capture_key = ?", localKey, order.key()));
            blobPath = db.queryOne("SELECT blob_path FROM nw_capture WHERE capture_key = ?", r -> r.getString("blob_path"), order.key())
                    .orElseThrow();
        }
        byte[] data = new byte[4096];
        new Random(21).nextBytes(data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Instant now = Instant.now();
        var report = new CaptureReport(order.key(), CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(), null, now.minusSeconds(5), now,
                3, data.length, 0, 0, 3, null, null, "/var/captures/x.cap", UploadState.DONE, data.length, sha, null);
        TestAgent onB = TestAgent.attach(b, agent.vmName, agent.vmId, agent.bearer());
        assertEquals(204, b.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(report))), onB.bearer()).status());

        // B, and A before the file is on its disk, do not call it missing: a sweep of each controller (10 s) passes
        Thread.sleep(11_000);
        for (TestController c : List.of(a, b)) {
            assertEquals("verifying", c.send("POST", nw + "/packetCaptures/older/queryStatus" + V, null, bearer()).json()
                    .path("uploadState").asText(), "not failed by a controller that does not hold the file");
        }
        // the file is on A's disk: A's sweep checks it
        Path file = a.dir.resolve("storage").resolve(Controller.LOCAL_ACCOUNT).resolve(blobPath);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
        JsonNode settled = null;
        for (int i = 0; i < 150 && settled == null; i++) {
            JsonNode s = b.send("POST", nw + "/packetCaptures/older/queryStatus" + V, null, bearer()).json();
            if (!"verifying".equals(s.path("uploadState").asText())) settled = s;
            else Thread.sleep(100);
        }
        assertNotNull(settled, "A checked the file on its disk");
        assertEquals("done", settled.path("uploadState").asText(), settled.toString());
        assertEquals(sha, settled.path("fileSha256").asText());
    }

    static HttpResponse<String> put(TestController c, TestAgent agent, String url, byte[] file, int from, int to) throws Exception {
        return c.http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", agent.bearer())
                .header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + file.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOfRange(file, from, to))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static CheckOrder order(TestAgent agent, CheckRole role) throws Exception {
        for (int i = 0; i < 90; i++) {
            var o = agent.orders(-1, 1).checks().stream().filter(x -> x.role() == role).findFirst();
            if (o.isPresent()) return o.get();
            Thread.sleep(100);
        }
        throw new AssertionError("no " + role + " order for " + agent.vmName);
    }

    static String captureBody(String target, String storageId) {
        return """
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"timeLimitInSeconds":60,
                 "storageLocation":{"storageId":"%s"}}}""".formatted(target, storageId);
    }
}
