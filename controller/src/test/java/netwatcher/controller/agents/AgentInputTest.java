package netwatcher.controller.agents;

import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureStatus;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ArmException;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.ReportState;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent input rules, pure. */
class AgentInputTest {
    static HostReport host(List<NicReport> nics) {
        return new HostReport("0.1.0", "app", "Debian GNU/Linux 12", nics, List.of("capture"), List.of());
    }

    static NicReport nic(String name, String... addresses) {
        return new NicReport(name, "02:00:00:00:00:10", List.of(addresses), true);
    }

    static ArmException refused(Runnable r) {
        ArmException e = assertThrows(ArmException.class, r::run);
        assertEquals(400, e.status());
        assertEquals("InvalidParameter", e.error().code());
        return e;
    }

    /** A reports body with one capture report, parsed as the agent route parses it. */
    private static void parsed(String captureJson) {
        AgentInput.reports(AgentRoutes.parse(("{\"captures\":[" + captureJson + "],\"checks\":[]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), Reports.class));
    }

    static CaptureReport capture(String key, String status, long packets, Instant start, Instant end) {
        return new CaptureReport(key, status == null ? null : CaptureStatus.valueOf(status), null, List.of(), null, start, end, packets, 0, 0, 0, 0, null, null,
                "/var/captures/x.cap", UploadState.NONE, 0, null, null);
    }

    @Test
    void realisticHost_isAccepted() {
        assertDoesNotThrow(() -> AgentInput.host(host(List.of(nic("eth0", "198.18.1.10/24", "2001:2::10/64", "fe80::1/64"),
                nic("nw-app-e1.10", "198.18.2.10/24"), new NicReport("tun0", null, List.of(), false)))));
        assertDoesNotThrow(() -> AgentInput.host(new HostReport(null, null, null, null, null, null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../../x", "a/b", "eth 0", "eth0\n", "sixteen-chars-xx", "eth:0", "eth0\u0000", "ethé"})
    void badNicNames_areRefusedNamingTheField(String name) {
        ArmException e = refused(() -> AgentInput.host(host(List.of(nic("eth0", "198.18.1.10/24"), nic(name, "198.18.2.10/24")))));
        assertEquals("nics[1].name", e.error().target());
        assertTrue(e.getMessage().contains("nics[1].name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-ip", "not-an-ip/24", "localhost/8", "198.18.1.10", "198.18.1.10/33", "2001:2::1/200",
            "127.0.0.1/8", "::1/128", "0.0.0.0/0", "0.0.0.0/8", "::/0", "224.0.0.5/24", "ff02::1/64", "255.255.255.255/32", "127.1/8"})
    void badAddresses_areRefusedNamingTheField(String address) {
        ArmException e = refused(() -> AgentInput.host(host(List.of(nic("eth0", "198.18.1.10/24", address)))));
        assertEquals("nics[0].addresses[1]", e.error().target());
        assertTrue(e.getMessage().contains("nics[0].addresses[1]"), e.getMessage());
    }

    @Test
    void duplicates_andMacs_andSizes_areRefused() {
        assertEquals("nics[1].name", refused(() -> AgentInput.host(host(List.of(nic("eth0"), nic("eth0"))))).error().target());
        assertEquals("nics[1].addresses[0]", refused(() -> AgentInput.host(host(List.of(nic("eth0", "198.18.1.10/24"),
                nic("eth1", "198.18.1.10/16"))))).error().target());
        assertEquals("nics[0].macAddress", refused(() -> AgentInput.host(host(List.of(new NicReport("eth0", "zz:00:00:00:00:00",
                List.of(), true))))).error().target());
        List<NicReport> many = new ArrayList<>();
        for (int i = 0; i <= AgentInput.MAX_NICS; i++) many.add(nic("e" + i));
        assertEquals("nics", refused(() -> AgentInput.host(host(many))).error().target());
        List<String> addrs = new ArrayList<>();
        for (int i = 0; i <= AgentInput.MAX_ADDRESSES_PER_NIC; i++) addrs.add("198.18.3." + i + "/24");
        assertEquals("nics[0].addresses", refused(() -> AgentInput.host(host(List.of(new NicReport("eth0", null, addrs, true))))).error().target());
        assertEquals("hostname", refused(() -> AgentInput.host(new HostReport("1", "../../etc", null, List.of(), List.of(), List.of()))).error().target());
        assertEquals("hostname", refused(() -> AgentInput.host(new HostReport("1", "a".repeat(64), null, List.of(), List.of(), List.of()))).error().target());
        assertEquals("os", refused(() -> AgentInput.host(new HostReport("1", "app", "x".repeat(257), List.of(), List.of(), List.of()))).error().target());
        assertEquals("os", refused(() -> AgentInput.host(new HostReport("1", "app", "Debian\u001b[31m", List.of(), List.of(), List.of()))).error().target());
        assertEquals("agentVersion", refused(() -> AgentInput.host(new HostReport("1 0 <script>", "app", null, List.of(), List.of(), List.of()))).error().target());
        assertEquals("problems", refused(() -> AgentInput.host(new HostReport("1", "app", null, List.of(), List.of(),
                Collections.nCopies(AgentInput.MAX_LIST + 1, "p")))).error().target());
        assertEquals("capabilities[0]", refused(() -> AgentInput.host(new HostReport("1", "app", null, List.of(), List.of("a b"), List.of()))).error().target());
    }

    @Test
    void captureReports_areChecked() {
        Instant t = Instant.parse("2030-01-01T00:00:00Z");
        assertDoesNotThrow(() -> AgentInput.reports(new Reports(List.of(capture("c-1", "Running", 5, t, null)))));
        assertEquals("captures[0].packets", refused(() -> AgentInput.reports(new Reports(List.of(capture("c-1", "Running", -1, t, null))))).error().target());
        assertEquals("captures[0].status", refused(() -> AgentInput.reports(new Reports(List.of(capture("c-1", "Unknown", 0, t, null))))).error().target());
        assertEquals("captures[0].status", refused(() -> AgentInput.reports(new Reports(List.of(capture("c-1", null, 0, t, null))))).error().target());
        assertEquals("captures[1].key", refused(() -> AgentInput.reports(new Reports(List.of(capture("c-1", "Running", 0, t, null),
                capture("../x", "Running", 0, t, null))))).error().target());
        assertEquals("captures[0].startTime", refused(() -> AgentInput.reports(new Reports(List.of(capture("c-1", "Running", 0,
                Instant.EPOCH, null))))).error().target());
        // words outside the protocol's enums cannot be a CaptureReport: refused while parsing, naming the field
        assertEquals("captures[0].stopReason", refused(() -> parsed("{\"key\":\"c-1\",\"status\":\"Stopped\",\"stopReason\":\"Bored\"}"))
                .error().target());
        assertEquals("captures[0].errors[0]", refused(() -> parsed("{\"key\":\"c-1\",\"status\":\"Error\",\"stopReason\":\"AgentLost\","
                + "\"errors\":[\"Oops\"]}")).error().target());
        assertEquals("captures[0].uploadState", refused(() -> parsed("{\"key\":\"c-1\",\"status\":\"Stopped\",\"uploadState\":\"sent\"}"))
                .error().target());
        assertEquals("captures[0].status", refused(() -> parsed("{\"key\":\"c-1\",\"status\":\"Paused\"}")).error().target());
        CaptureReport verifying = new CaptureReport("c-1", CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(), null, t, t, 0, 0, 0, 0, 0,
                null, null, null, UploadState.VERIFYING, 0, null, null);
        assertEquals("captures[0].uploadState", refused(() -> AgentInput.reports(new Reports(List.of(verifying)))).error().target());
        List<CaptureReport> many = Collections.nCopies(AgentInput.MAX_REPORTS + 1, capture("c-1", "Running", 0, t, null));
        assertEquals("captures", refused(() -> AgentInput.reports(new Reports(many))).error().target());
    }

    @Test
    void checkReports_areChecked() {
        Flow flow = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", null, 80, null, null);
        CheckReport ok = new CheckReport("k-1", CheckRole.SOURCE, ReportState.DONE, flow, new CheckReport.ProbeSummary(10, 0, 1, 1, 2, Map.of("connected", 10), null, null),
                List.of(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.5), "timeExceeded", null)), List.of(), null, null, null, null);
        assertDoesNotThrow(() -> AgentInput.reports(new Reports(List.of(), List.of(ok))));
        CheckReport nameHop = new CheckReport("k-1", CheckRole.SOURCE, ReportState.DONE, flow, null,
                List.of(new CheckReport.TraceHop(1, "router.example", List.of(), "timeExceeded", null)), List.of(), null, null, null, null);
        assertEquals("checks[0].hops[0].address", refused(() -> AgentInput.reports(new Reports(List.of(), List.of(nameHop)))).error().target());
        CheckReport nameFlow = new CheckReport("k-1", CheckRole.SOURCE, ReportState.DONE, new Flow("Tcp", "localhost", 0, "198.18.3.10", null, 80, null, null),
                null, List.of(), List.of(), null, null, null, null);
        assertEquals("checks[0].flow.sourceAddress", refused(() -> AgentInput.reports(new Reports(List.of(), List.of(nameFlow)))).error().target());
        CheckReport negative = new CheckReport("k-1", CheckRole.SOURCE, ReportState.DONE, flow, new CheckReport.ProbeSummary(-1, 0, null, null, null, Map.of(), null, null),
                List.of(), List.of(), null, null, null, null);
        assertEquals("checks[0].probes.sent", refused(() -> AgentInput.reports(new Reports(List.of(), List.of(negative)))).error().target());
        // a role outside the protocol's cannot be a CheckReport: it is refused while parsing, naming the field
        byte[] role = "{\"captures\":[],\"checks\":[{\"key\":\"k-1\",\"role\":\"admin\",\"state\":\"done\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ArmException badRole = refused(() -> AgentRoutes.parse(role, Reports.class));
        assertEquals("checks[0].role", badRole.error().target());
        assertTrue(badRole.error().message().contains("source, observer, verify, nexthop"), badRole.error().message());
        byte[] state = "{\"captures\":[],\"checks\":[{\"key\":\"k-1\",\"role\":\"source\",\"state\":\"finished\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("checks[0].state", refused(() -> AgentRoutes.parse(state, Reports.class)).error().target());
        CheckReport nan = new CheckReport("k-1", CheckRole.SOURCE, ReportState.DONE, flow, null,
                List.of(new CheckReport.TraceHop(1, null, List.of(Double.NaN), "none", null)), List.of(), null, null, null, null);
        assertEquals("checks[0].hops[0].rttMs", refused(() -> AgentInput.reports(new Reports(List.of(), List.of(nan)))).error().target());
    }
}
