package netwatcher.controller.compat;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.http.ServedTap;
import netwatcher.controller.http.ServedTap.Served;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every status code the controller answers for a Network Watcher operation is one its OpenAPI spec
 * lists for that api-version: the test reads the spec's {@code responses} (the copies in
 * {@code src/test/resources/openapi}, see the README there), drives a real controller through every
 * operation netwatcher serves (fast and slow agents, so both synchronous answers and 202 + polling
 * happen), and checks each recorded exchange, initial answers and the final answers of their
 * {@code Location} URLs alike. Error answers must be the spec's {@code default}, and a 202 of an operation whose final
 * state comes via Location must carry one.
 */
@Tag("e2e")
class SpecStatusCodesTest {
    /** The operations netwatcher serves; each must appear in the spec (when the api-version has it) and be exercised. */
    static final Set<String> SERVED = Set.of(
            "NetworkWatchers_CreateOrUpdate", "NetworkWatchers_Get", "NetworkWatchers_Delete", "NetworkWatchers_UpdateTags",
            "NetworkWatchers_List", "NetworkWatchers_ListAll",
            "PacketCaptures_Create", "PacketCaptures_Get", "PacketCaptures_Delete", "PacketCaptures_Stop",
            "PacketCaptures_GetStatus", "PacketCaptures_List",
            "NetworkWatchers_CheckConnectivity", "NetworkWatchers_VerifyIPFlow", "NetworkWatchers_GetNextHop");

    /** One operation of the spec. */
    record SpecOperation(String id, String method, Pattern path, JsonNode responses, boolean locationFinal) {
        boolean lists(int status) { return responses.has(Integer.toString(status)); }
    }

    static List<SpecOperation> read(String apiVersion) throws Exception {
        JsonNode spec;
        try (InputStream in = SpecStatusCodesTest.class.getResourceAsStream("/openapi/" + apiVersion + "/networkWatcher.json")) {
            if (in == null) fail("no spec copy for " + apiVersion + " in src/test/resources/openapi");
            spec = Json.tree(in.readAllBytes());
        }
        List<SpecOperation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields(); paths.hasNext(); ) {
            var p = paths.next();
            Pattern path = Pattern.compile(p.getKey().replaceAll("\\{[^}]+}", "[^/]+").replace(".", "\\."), Pattern.CASE_INSENSITIVE);
            for (Iterator<Map.Entry<String, JsonNode>> methods = p.getValue().fields(); methods.hasNext(); ) {
                var m = methods.next();
                if (m.getKey().equals("parameters")) continue;
                JsonNode op = m.getValue();
                String via = op.path("x-ms-long-running-operation-options").path("final-state-via").asText("location");
                ops.add(new SpecOperation(op.path("operationId").asText(), m.getKey().toUpperCase(java.util.Locale.ROOT), path,
                        op.path("responses"), op.path("x-ms-long-running-operation").asBoolean(false) && via.equals("location")));
            }
        }
        return ops;
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-01", "2017-03-01"})
    void everyAnswer_isAStatusTheSpecLists(String apiVersion) throws Exception {
        List<SpecOperation> spec = read(apiVersion);
        Set<String> specIds = new TreeSet<>();
        spec.forEach(o -> specIds.add(o.id()));
        Set<String> expected = new TreeSet<>(SERVED);
        expected.retainAll(specIds); // 2017-03-01 has no UpdateTags
        Recorder recorder = new Recorder();
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            ServedTap.attach(c.controller.http(), recorder);
            new Scenario(c, "?api-version=" + apiVersion, specIds.contains("NetworkWatchers_UpdateTags")).run();
            check(spec, expected, recorder.all(), recorder.dump());
        }
    }

    /** Maps each exchange to its operation (a Location poll to the operation that handed the URL out) and compares. */
    static void check(List<SpecOperation> spec, Set<String> expected, List<Served> served, String dump) {
        Map<String, SpecOperation> locations = new HashMap<>();
        Set<String> exercised = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (Served s : served) {
            if (s.path().startsWith("/agent/") || s.path().startsWith("/admin/")) continue;
            SpecOperation op;
            String what;
            if (s.path().contains("/operationResults/")) {
                op = locations.get(s.path().toLowerCase(java.util.Locale.ROOT));
                if (op == null) {
                    wrong.add("a poll of a Location no operation handed out: " + s.path());
                    continue;
                }
                what = "Location of " + op.id();
            } else if (s.path().contains("/operations/")) {
                continue; // Azure-AsyncOperation status: ARM's generic status body, always 200, not in the spec
            } else {
                op = spec.stream().filter(o -> o.method().equals(s.method()) && o.path().matcher(s.path()).matches()).findFirst()
                        .orElse(null);
                if (op == null) {
                    wrong.add("no spec operation for " + s.method() + " " + s.path());
                    continue;
                }
                what = op.id();
                exercised.add(op.id());
                String location = s.header("Location");
                if (location != null) locations.put(URI.create(location).getPath().toLowerCase(java.util.Locale.ROOT), op);
                if (s.status() == 202 && op.locationFinal() && location == null) wrong.add(what + " answered 202 without Location");
            }
            int status = s.status();
            if (status >= 400) {
                if (!op.responses().has("default")) wrong.add(what + " answered error " + status + " but lists no default");
            } else if (!op.lists(status)) {
                wrong.add(what + " answered " + status + "; the spec lists " + fieldNames(op.responses()));
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n" + dump);
        assertEquals(expected, exercised, dump);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Drives every served operation once with a prompt agent and once with one that does not confirm in time. */
    static final class Scenario {
        private final TestController c;
        private final String v;
        private final boolean patch;
        private final String nw;

        Scenario(TestController c, String v, boolean patch) {
            this.c = c;
            this.v = v;
            this.patch = patch;
            this.nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/"
                    + "NetworkWatcher_westeurope";
        }

        void run() throws Exception {
            TestAgent prompt = new TestAgent(c, "specrg", "promptvm", "westeurope", List.of("198.18.1.10/24"));
            TestAgent slow = new TestAgent(c, "specrg", "slowvm", "westeurope", List.of("198.18.1.11/24"));
            watchers();
            checks(prompt, slow);
            // the prompt agent confirms every order at once: synchronous answers
            try (AgentPlayer player = new AgentPlayer(prompt)) {
                String pc = nw + "/packetCaptures/fast";
                expect(201, "PUT", pc, capture(prompt.vmId, "fast"));
                awaitCreated(pc);
                expect(200, "GET", pc, null);
                expect(200, "GET", nw + "/packetCaptures", null);
                JsonNode status = expect(200, "POST", pc + "/queryStatus", null).json();
                assertEquals("Running", status.path("packetCaptureStatus").asText(), status.toString());
                expect(200, "POST", pc + "/stop", null);
                expect(200, "POST", pc + "/stop", null);
                expect(204, "DELETE", pc, null);
                expect(204, "DELETE", pc, null);
            }
            // the slow agent confirms only after the wait: 202, then the Location's final answer
            long gen = slow.orders(-1, 0).generation();
            String pc = nw + "/packetCaptures/slow";
            expect(201, "PUT", pc, capture(slow.vmId, "slow"));
            var orders = slow.orders(gen, 5);
            String key = orders.captures().stream().filter(o -> o.captureId().endsWith("/slow")).findFirst().orElseThrow().key();
            slow.report(key, "Running", null, List.of(), 1);
            awaitCreated(pc);
            var stop = expect(202, "POST", pc + "/stop", null);
            expect(202, "GET", stop.header("Location"), null);
            slow.report(key, "Stopped", "StoppedByRequest", List.of(), 2);
            expect(200, "GET", stop.header("Location"), null);

            String pc2 = nw + "/packetCaptures/slow2";
            expect(201, "PUT", pc2, capture(slow.vmId, "slow2"));
            orders = slow.orders(orders.generation(), 5);
            String key2 = orders.captures().stream().filter(o -> o.captureId().endsWith("/slow2")).findFirst().orElseThrow().key();
            slow.report(key2, "Running", null, List.of(), 1);
            awaitCreated(pc2);
            var delete = expect(202, "DELETE", pc2, null);
            expect(202, "GET", delete.header("Location"), null);
            slow.report(key2, "Stopped", "StoppedByRequest", List.of(), 2);
            expect(204, "GET", delete.header("Location"), null);
        }

        private void watchers() throws Exception {
            String rg = "/subscriptions/" + c.sub + "/resourceGroups/specwatchers/providers/Microsoft.Network/networkWatchers";
            expect(201, "PUT", rg + "/specnw", "{\"location\":\"northeurope\"}");
            expect(200, "PUT", rg + "/specnw", "{\"location\":\"northeurope\",\"tags\":{\"a\":\"b\"}}");
            expect(200, "GET", rg + "/specnw", null);
            if (patch) expect(200, "PATCH", rg + "/specnw", "{\"tags\":{\"c\":\"d\"}}");
            expect(200, "GET", rg, null);
            expect(200, "GET", "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers", null);
            expect(204, "DELETE", rg + "/specnw", null);
            expect(204, "DELETE", rg + "/specnw", null);
        }

        private void checks(TestAgent source, TestAgent other) throws Exception {
            var verify = expect(202, "POST", nw + "/ipFlowVerify", """
                    {"targetResourceId":"%s","direction":"Inbound","protocol":"TCP","localPort":"80","remotePort":"*",
                     "localIPAddress":"198.18.1.11","remoteIPAddress":"198.18.1.10"}""".formatted(other.vmId));
            CheckOrder o = order(other, CheckRole.VERIFY);
            other.reportCheck(new CheckReport(o.key(), CheckRole.VERIFY, ReportState.DONE, null, null, null, null,
                    new CheckReport.Verdict("Allow", null, Map.of()), null, null, null));
            expect(200, "GET", verify.header("Location"), null);

            var hop = expect(202, "POST", nw + "/nextHop", """
                    {"targetResourceId":"%s","sourceIPAddress":"198.18.1.11","destinationIPAddress":"198.18.1.10"}""".formatted(other.vmId));
            o = order(other, CheckRole.NEXTHOP);
            other.reportCheck(new CheckReport(o.key(), CheckRole.NEXTHOP, ReportState.DONE, null, null, null, null, null,
                    new CheckReport.NextHop("VnetLocal", "198.18.1.10", false, "198.18.1.0/24"), null, null));
            expect(200, "GET", hop.header("Location"), null);

            other.orders(-1, 0); // connected: it observes
            var check = expect(202, "POST", nw + "/connectivityCheck", """
                    {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":80}}""".formatted(source.vmId, other.vmId));
            CheckOrder obs = order(other, CheckRole.OBSERVER);
            other.reportCheck(new CheckReport(obs.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
            CheckOrder src = order(source, CheckRole.SOURCE);
            expect(202, "GET", check.header("Location"), null);
            Flow flow = new Flow("Tcp", "198.18.1.10", 40000, "198.18.1.11", null, 80, null, null);
            source.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE, flow,
                    new CheckReport.ProbeSummary(100, 0, 1, 1, 2, Map.of("connected", 100), null, null),
                    List.of(new CheckReport.TraceHop(1, "198.18.1.11", List.of(0.2), "destination", null)), List.of(), null, null, null, null));
            CheckOrder finish = order(other, CheckRole.OBSERVER);
            other.reportCheck(new CheckReport(finish.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
            for (int i = 0; i < 100; i++) {
                var r = c.send("GET", check.header("Location"), null);
                if (r.status() != 202) {
                    assertEquals(200, r.status(), r.body());
                    return;
                }
                Thread.sleep(50);
            }
            fail("the connectivity check did not finish");
        }

        private static CheckOrder order(TestAgent a, CheckRole role) throws Exception {
            for (int i = 0; i < 30; i++) {
                var o = a.orders(-1, 1).checks().stream().filter(x -> x.role() == role).findFirst();
                if (o.isPresent()) return o.get();
            }
            throw new AssertionError("no " + role + " order for " + a.vmName);
        }

        private void awaitCreated(String pc) throws Exception {
            for (int i = 0; i < 100; i++) {
                var r = c.send("GET", pc + v, null);
                if (r.json().path("properties").path("provisioningState").asText().equals("Succeeded")) return;
                Thread.sleep(50);
            }
            fail("capture " + pc + " did not start");
        }

        private static String capture(String target, String name) {
            return """
                    {"properties":{"target":"%s","timeLimitInSeconds":60,"storageLocation":{"filePath":"/var/captures/%s.cap"}}}"""
                    .formatted(target, name);
        }

        private TestController.Reply expect(int status, String method, String pathOrUrl, String body) throws Exception {
            var r = c.send(method, pathOrUrl.startsWith("http") ? pathOrUrl : pathOrUrl + v, body);
            assertEquals(status, r.status(), method + " " + pathOrUrl + ": " + r.body());
            return r;
        }
    }
}
