package netwatcher.agent.check;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import netwatcher.agent.hostcfg.HostConfig;
import netwatcher.agent.hostcfg.RouteTables;
import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.ProbeTls;
import netwatcher.agent.probe.Prober;
import netwatcher.lab.ExecResult;
import netwatcher.lab.LabExtension;
import netwatcher.model.agent.RouteTableReport;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;
import netwatcher.testing.netns.Netns;

/**
 * Each failure class the probes can prove, on the real lab from app's namespace: the finding's type, the address
 * of the hop that answered ({@code Address}, where the controller puts the issue) and the class's key fact; and
 * the kernel facts behind route issues and next hops (tables, the rule that selected one, local traffic).
 */
@Tag("netns")
class FailureClassLabTest {
    @RegisterExtension static final LabExtension LAB = LabExtension.defaultLab();
    static final String DB = "198.18.3.10";
    static final String WEB = "198.18.201.10";
    static final String INET = "198.18.200.2";

    final List<CheckReport> reports = new CopyOnWriteArrayList<>();
    CheckExecutor executor;

    @AfterEach
    void close() {
        if (executor != null) executor.close();
    }

    CheckReport run(SSLContext tls, Flow flow, ProbeSpec spec) throws Exception {
        if (executor != null) executor.close();
        reports.clear();
        CheckExecutor.Settings settings = new CheckExecutor.Settings(
                new Prober.Settings(spec.probes(), Duration.ofMillis(spec.timeoutMs()), Duration.ofMillis(5), Duration.ofSeconds(20)),
                new ParisTracer.Settings(8, 1, Duration.ofMillis(500), 3), 2);
        executor = new CheckExecutor(settings, HostEvaluation.NONE, new Prober(tls), new ParisTracer(),
                FailureClassLabTest::resolveOnApp, new CheckExecutor.Sink() {
                    @Override public void report(CheckReport report) { reports.add(report); }
                    @Override public boolean pending(String key, netwatcher.model.check.CheckRole role) { return false; }
                });
        CheckOrder order = new CheckOrder("fc", "/checks/fc", CheckRole.SOURCE, true, flow, spec, Instant.now(), null);
        Netns.call(LAB.lab().host("app").namespace(), () -> {
            executor.apply(List.of(order), true);
            return null;
        });
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < end) {
            for (CheckReport r : reports) {
                if (r.state().equals(ReportState.FAILED)) throw new AssertionError("the source part failed: " + r.error());
                if (r.state().equals(ReportState.DONE)) return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no final report: " + reports);
    }

    /** Resolves like app does: getent inside app's namespace (lab DNS). */
    static List<java.net.InetAddress> resolveOnApp(String name) throws java.net.UnknownHostException {
        ExecResult r = LAB.lab().exec("app", "getent", "ahosts", name);
        if (r.exitCode() != 0) throw new java.net.UnknownHostException(name + ": getent exit " + r.exitCode());
        List<java.net.InetAddress> out = new java.util.ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (line.isBlank()) continue;
            java.net.InetAddress a = java.net.InetAddress.ofLiteral(line.trim().split("\\s+")[0]);
            if (!out.contains(a)) out.add(a);
        }
        return out;
    }

    static CheckReport.Finding only(CheckReport report, String type) {
        List<CheckReport.Finding> found = report.findings().stream().filter(f -> f.type().equals(type)).toList();
        assertEquals(1, found.size(), () -> type + " once in " + report);
        return found.getFirst();
    }

    static SSLContext labCa() {
        return ProbeTls.context(LAB.lab().caCertificate());
    }

    @Test
    void closedPort_isPortClosedAnsweredByTheDestination() throws Exception {
        CheckReport done = run(labCa(), new Flow("Tcp", null, 0, DB, null, 2222, null, null), new ProbeSpec(10, 500, 6, null));
        CheckReport.Finding f = only(done, "PortClosed");
        assertEquals(DB, f.context().get("Address"));
        assertEquals("2222", f.context().get("Port"));
        assertEquals("Local", f.origin());
        assertEquals("10 of 10", f.context().get("Probes"));
    }

    @Test
    void httpsWithAnUntrustedCa_isTlsHandshakeUntrustedCertificate() throws Exception {
        CheckReport done = run(SSLContext.getDefault(), new Flow("Https", null, 0, null, "https://web.lab.test/", 0, null, null),
                new ProbeSpec(3, 2000, 6, null));
        CheckReport.Finding f = only(done, "TlsHandshake");
        assertEquals("UntrustedCertificate", f.context().get("Problem"), f::toString);
        assertEquals(WEB, f.context().get("Address"));
        assertEquals(3, done.probes().outcomes().get("tlsFailure"));
    }

    @Test
    void httpsToANameTheCertificateDoesNotHold_isTlsHandshakeNameMismatch() throws Exception {
        // "web" resolves (lab DNS answers short names) but the certificate names web.lab.test and web's addresses
        CheckReport done = run(labCa(), new Flow("Https", null, 0, null, "https://web/", 0, null, null), new ProbeSpec(3, 2000, 6, null));
        CheckReport.Finding f = only(done, "TlsHandshake");
        assertEquals("NameMismatch", f.context().get("Problem"), f::toString);
        assertTrue(f.context().get("Detail").contains("web"), f::toString);
    }

    @Test
    void httpStatusOutsideValidStatusCodes_namesTheStatusAndTheExpectedCodes() throws Exception {
        CheckReport done = run(labCa(), new Flow("Http", null, 0, null, "http://web.lab.test/nope", 0, null, null),
                new ProbeSpec(4, 2000, 6, null));
        CheckReport.Finding f = only(done, "HttpStatus");
        assertEquals("404", f.context().get("Status"));
        assertEquals("200-299", f.context().get("ValidStatusCodes"));
        assertEquals("/nope", f.context().get("Path"));
        assertEquals(WEB, f.context().get("Address"));

        CheckReport listed = run(labCa(), new Flow("Http", null, 0, null, "http://web.lab.test/status/503", 0, null, null),
                new ProbeSpec(2, 2000, 6, new ProbeSpec.Http("Get", List.of(), List.of(200, 204), null)));
        CheckReport.Finding g = only(listed, "HttpStatus");
        assertEquals("503", g.context().get("Status"));
        assertEquals("200,204", g.context().get("ValidStatusCodes"));
    }

    @Test
    void icmpUnreachableFromARouter_isIcmpUnreachableAnsweredByThatRouter() throws Exception {
        // inet (agentless) has no route to 198.18.250.0/24: it answers net-unreachable, which a TCP socket takes as a
        // soft error (the probes time out) and the trace's raw socket sees
        CheckReport done = run(labCa(), new Flow("Tcp", null, 0, "198.18.250.10", null, 80, null, null), new ProbeSpec(5, 500, 6, null));
        CheckReport.Finding f = only(done, "IcmpUnreachable");
        assertEquals(INET, f.context().get("Address"), done::toString);
        assertTrue(f.context().get("IcmpCode").contains("unreachable"), f::toString);
        assertTrue(done.findings().stream().noneMatch(x -> x.type().equals("PortClosed")), done::toString);
    }

    @Test
    void reachable_makesNoProbeFinding() throws Exception {
        CheckReport done = run(labCa(), new Flow("Https", null, 0, null, "https://web.lab.test/", 0, null, null),
                new ProbeSpec(3, 2000, 6, null));
        assertTrue(done.findings().isEmpty(), done::toString);
    }

    @Test
    void routeTables_readTheHostsKernelTables() {
        List<RouteTableReport> tables = new RouteTables(List.of("ip", "netns", "exec", LAB.lab().host("app").namespace())).read();
        RouteTableReport main = tables.stream().filter(t -> t.name().equals("main")).findFirst().orElseThrow(() -> new AssertionError(tables));
        RouteTableReport.Route def = main.routes().stream().filter(r -> r.destination().equals("0.0.0.0/0")).findFirst().orElseThrow();
        assertEquals("198.18.1.1", def.gateway());
        assertTrue(main.routes().stream().anyMatch(r -> r.destination().equals("::/0")), main::toString);
        assertTrue(tables.stream().anyMatch(t -> t.name().equals("local")), tables::toString);
        assertTrue(tables.stream().flatMap(t -> t.routes().stream()).noneMatch(r -> r.type().equals("broadcast")));
    }

    @Test
    void nextHop_namesItsTable_andLocalTrafficIsVnetLocal() throws Exception {
        HostConfig app = new HostConfig(List.of("ip", "netns", "exec", LAB.lab().host("app").namespace()), java.time.InstantSource.system());
        CheckReport.NextHop toDb = app.nextHop(new Flow("TCP", "198.18.1.10", 0, DB, null, 80, null, null));
        assertEquals("main", toDb.table());
        assertEquals("VirtualAppliance", toDb.type());
        CheckReport.NextHop loopback = app.nextHop(new Flow("TCP", null, 0, "127.0.0.1", null, 80, null, null));
        assertEquals("VnetLocal", loopback.type(), loopback::toString);
        assertEquals("local", loopback.table());
        CheckReport.NextHop own = app.nextHop(new Flow("TCP", null, 0, "198.18.1.10", null, 80, null, null));
        assertEquals("VnetLocal", own.type(), own::toString);
    }

    @Test
    void policyRouteToABlackholeTable_namesTheRouteAndTheRuleThatSelectedTheTable() throws Exception {
        exec("app", "ip route add blackhole 198.18.79.0/24 table 79 && ip rule add to 198.18.79.0/24 lookup 79 pref 1000");
        try {
            HostConfig app = new HostConfig(List.of("ip", "netns", "exec", LAB.lab().host("app").namespace()),
                    java.time.InstantSource.system());
            CheckReport.Finding f = app.routeFinding(new Flow("Tcp", null, 0, "198.18.79.5", null, 80, null, null)).orElseThrow();
            assertEquals("UserDefinedRoute", f.type());
            assertEquals("79", f.context().get("Table"));
            assertTrue(f.context().get("Route").startsWith("blackhole 198.18.79.0/24"), f::toString);
            assertEquals("1000: from all to 198.18.79.0/24 lookup 79", f.context().get("Rule"));
            assertEquals("79", app.nextHop(new Flow("TCP", null, 0, "198.18.79.5", null, 80, null, null)).table());

            exec("app", "ip route add unreachable 198.18.78.0/24");
            CheckReport.Finding main = app.routeFinding(new Flow("Tcp", null, 0, "198.18.78.5", null, 80, null, null)).orElseThrow();
            assertEquals("main", main.context().get("Table"));
            assertEquals("32766: from all lookup main", main.context().get("Rule"), main::toString); // the default rule, named too
        } finally {
            exec("app", "ip rule del pref 1000; ip route del blackhole 198.18.79.0/24 table 79; ip route del unreachable 198.18.78.0/24; true");
        }
    }

    @Test
    void arrivalWitness_onTheDestination_provesWhetherTheFlowArrived() throws Exception {
        HostConfig db = new HostConfig(List.of("ip", "netns", "exec", LAB.lab().host("db").namespace()), java.time.InstantSource.system());
        assertTrue(db.startWitness(new Flow("Tcp", null, 0, WEB, null, 80, null, null)).isEmpty(), "not db's address: no witness");
        try (var seen = db.startWitness(new Flow("Tcp", null, 0, DB, null, 1433, null, null)).orElseThrow();
             var unseen = db.startWitness(new Flow("Tcp", null, 0, DB, null, 1435, null, null)).orElseThrow()) {
            assertTrue(exec("db", "nft list tables").contains("nw_seen_"));
            CheckReport done = run(labCa(), new Flow("Tcp", null, 0, DB, null, 1433, null, null), new ProbeSpec(3, 500, 4, null));
            assertEquals(3, done.probes().outcomes().get("connected"), done::toString);
            assertTrue(seen.finding().isEmpty(), "the probes arrived: no finding");
            CheckReport.Finding none = unseen.finding().orElseThrow();
            assertEquals("DestinationNotReached", none.type());
            assertEquals("Warning", none.severity());
        }
        assertFalse(exec("db", "nft list tables").contains("nw_seen_"), "closing removes the witness tables");
    }

    static String exec(String host, String script) {
        ExecResult r = LAB.lab().exec(host, "sh", "-c", script);
        assertEquals(0, r.exitCode(), () -> script + ": " + r.stderr());
        return r.stdout();
    }

}
