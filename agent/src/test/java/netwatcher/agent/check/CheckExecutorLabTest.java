package netwatcher.agent.check;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.ProbeTls;
import netwatcher.agent.probe.Prober;
import netwatcher.lab.ExecResult;
import netwatcher.lab.LabExtension;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;
import netwatcher.testing.netns.Netns;

/**
 * The source role end to end on the lab's app host: names resolve through the lab DNS (getent run
 * in app's namespace, so app's resolv.conf applies), probes and traces cross the real routers.
 */
@Tag("netns")
class CheckExecutorLabTest {
    @RegisterExtension static final LabExtension LAB = LabExtension.defaultLab();
    private static final Duration WAIT = Duration.ofSeconds(40);

    final List<CheckReport> reports = new CopyOnWriteArrayList<>();
    CheckExecutor executor;

    /** Resolves like app does: getent inside app's namespace (lab DNS). */
    static List<InetAddress> resolveOnApp(String name) throws UnknownHostException {
        ExecResult r = LAB.lab().exec("app", "getent", "ahosts", name);
        if (r.exitCode() != 0) throw new UnknownHostException(name + ": getent exit " + r.exitCode());
        List<InetAddress> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (line.isBlank()) continue;
            InetAddress a = InetAddress.ofLiteral(line.trim().split("\\s+")[0]);
            if (!out.contains(a)) out.add(a);
        }
        return out;
    }

    void start() throws Exception {
        start(HostEvaluation.NONE);
    }

    static HostEvaluation realHost(String host) {
        return new HostConfigEvaluation(new netwatcher.agent.hostcfg.HostConfig(
                List.of("ip", "netns", "exec", LAB.lab().host(host).namespace()), java.time.InstantSource.system()));
    }

    void start(HostEvaluation host) throws Exception {
        CheckExecutor.Settings settings = new CheckExecutor.Settings(
                new Prober.Settings(100, Duration.ofMillis(500), Duration.ofMillis(5), Duration.ofSeconds(20)),
                new ParisTracer.Settings(10, 1, Duration.ofMillis(500), 3), 2);
        executor = new CheckExecutor(settings, host, new Prober(ProbeTls.context(LAB.lab().caCertificate())),
                new ParisTracer(), CheckExecutorLabTest::resolveOnApp, new CheckExecutor.Sink() {
                    @Override public void report(CheckReport report) { reports.add(report); }
                    @Override public boolean pending(String key, netwatcher.model.check.CheckRole role) { return false; }
                });
    }

    @AfterEach
    void close() {
        if (executor != null) executor.close();
    }

    /** Applies the orders from a thread in app's namespace: the executor's threads start there. */
    CheckReport run(CheckOrder... orders) throws Exception {
        return run(HostEvaluation.NONE, orders);
    }

    CheckReport run(HostEvaluation host, CheckOrder... orders) throws Exception {
        start(host);
        Netns.call(LAB.lab().host("app").namespace(), () -> {
            executor.apply(Arrays.asList(orders), true);
            return null;
        });
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            for (CheckReport r : reports) {
                if (r.key().equals(orders[0].key()) && !r.state().equals(ReportState.ARMED) && !r.state().equals(ReportState.PROBING)) return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no report for " + orders[0].key() + " within " + WAIT + ": " + reports);
    }

    static CheckOrder source(String key, Flow flow, ProbeSpec spec) {
        return new CheckOrder(key, "/checks/" + key, CheckRole.SOURCE, true, flow, spec, Instant.now(), null);
    }

    @Test
    void source_httpsUrlWithLabCa_isReachableThroughFw1AndInet() throws Exception {
        CheckReport done = run(source("https-web", new Flow("Https", null, 0, null, "https://web.lab.test/", 0, null, null),
                new ProbeSpec(20, 2000, 10, null)));

        assertEquals(ReportState.DONE, done.state(), done::toString);
        assertEquals("198.18.201.10", done.flow().destinationAddress());
        assertEquals(443, done.flow().destinationPort());
        assertEquals("198.18.1.10", done.flow().sourceAddress());
        assertEquals(Map.of("connected", 20), done.probes().outcomes());
        assertEquals(200, done.probes().httpStatus());
        assertNotNull(done.probes().avgMs());
        assertEquals(List.of("198.18.1.1", "198.18.200.2", "198.18.201.10"),
                done.hops().stream().map(CheckReport.TraceHop::address).toList());
    }

    @Test
    void source_httpStatus503WhenValidIs200_failsEveryProbe() throws Exception {
        ProbeSpec.Http http = new ProbeSpec.Http("Get", List.of(), List.of(200), null);
        CheckReport done = run(source("http-503", new Flow("Http", null, 0, null, "http://web.lab.test/status/503", 0, null, null),
                new ProbeSpec(10, 1000, 10, http)));

        assertEquals(Map.of("httpStatusMismatch", 10), done.probes().outcomes());
        assertEquals(10, done.probes().failed());
        assertEquals(503, done.probes().httpStatus());
        assertNull(done.probes().avgMs());
    }

    @Test
    void source_unresolvableName_reportsDnsResolution() throws Exception {
        CheckReport done = run(source("dns", new Flow("Tcp", null, 0, null, "nosuch.lab.test", 80, null, null), null));

        assertEquals(ReportState.DONE, done.state());
        CheckReport.Finding dns = done.findings().getFirst();
        assertEquals("DnsResolution", dns.type());
        assertEquals("nosuch.lab.test", dns.context().get("HostName"));
        assertEquals(0, done.probes().sent());
    }

    @Test
    void source_tcp80ToDb_timesOutAndTraceEndsAfterFw2() throws Exception {
        CheckReport done = run(source("db80", new Flow("Tcp", null, 0, null, "db.lab.test", 80, null, "IPv4"),
                new ProbeSpec(10, 300, 10, null)));

        assertEquals(Map.of("timeout", 10), done.probes().outcomes());
        assertEquals("198.18.3.10", done.flow().destinationAddress());
        List<String> replies = done.hops().stream().map(CheckReport.TraceHop::reply).toList();
        assertEquals(List.of("timeExceeded", "timeExceeded", "none", "none", "none"), replies);
        assertEquals("198.18.2.2", done.hops().get(1).address());
        assertTrue(done.flow().sourcePort() > 0);
    }

    @Test
    void source_whileProbingAndTracing_sendsInterimReportsBeforeTheFinalOne() throws Exception {
        CheckReport done = run(source("db80-interim", new Flow("Tcp", null, 0, null, "db.lab.test", 80, null, "IPv4"),
                new ProbeSpec(10, 300, 10, null)));
        assertEquals(ReportState.DONE, done.state(), done::toString);
        List<CheckReport> mine = reports.stream().filter(r -> r.key().equals("db80-interim")).toList();
        List<CheckReport> interim = mine.stream().filter(r -> r.state().equals(ReportState.PROBING)).toList();
        assertFalse(interim.isEmpty(), "no interim report while a 5-hop trace with 300 ms silences ran: " + mine);
        assertEquals(done, mine.getLast(), "nothing may follow the final report: " + mine);
        assertEquals(1, mine.stream().filter(r -> r.state().equals(ReportState.DONE)).count());
        int lastHops = 0;
        for (CheckReport r : interim) {
            assertTrue(r.findings().isEmpty(), r::toString);
            assertTrue(r.probes().sent() <= 10, r::toString);
            assertTrue(r.hops().size() >= lastHops, "hops only grow: " + interim);
            lastHops = r.hops().size();
            assertEquals(done.hops().subList(0, r.hops().size()), r.hops(), "interim hops are the final trace so far");
        }
        assertTrue(interim.stream().anyMatch(r -> r.hops().size() < done.hops().size()), "some interim report came mid-trace: " + interim);
    }

    @Test
    void source_preferredIpv6_probesDbOverIpv6() throws Exception {
        CheckReport done = run(source("db6", new Flow("Tcp", null, 0, null, "db.lab.test", 1433, null, "IPv6"),
                new ProbeSpec(5, 1000, 10, null)));

        assertEquals(LAB.lab().host("db").ipv6().orElseThrow(), done.flow().destinationAddress());
        assertEquals(Map.of("connected", 5), done.probes().outcomes());
        assertEquals("destination", done.hops().getLast().reply());
        assertEquals(3, done.hops().size(), done.hops()::toString);
    }

    @Test
    void source_icmpByShortName_isConnected() throws Exception {
        CheckReport done = run(source("icmp", new Flow("Icmp", null, 0, null, "db", 0, null, null), new ProbeSpec(10, 1000, 10, null)));

        assertEquals(Map.of("connected", 10), done.probes().outcomes());
        assertEquals(List.of("198.18.1.1", "198.18.2.2", "198.18.3.10"),
                done.hops().stream().map(CheckReport.TraceHop::address).toList());
        assertEquals(0, done.flow().sourcePort());
    }

    /**
     * One check as the controller runs it: an observer on {@code host} armed with the unresolved flow (its executor
     * runs a real HostConfig there), app's source probing, then the observer explaining the resolved flow.
     */
    CheckReport observe(String host, String key, Flow unresolved, ProbeSpec spec, List<CheckReport> sourceOut) throws Exception {
        List<CheckReport> observerReports = new CopyOnWriteArrayList<>();
        CheckExecutor.Settings settings = new CheckExecutor.Settings(Prober.Settings.DEFAULT, ParisTracer.Settings.DEFAULT, 1);
        try (CheckExecutor observer = new CheckExecutor(settings, realHost(host), new Prober(ProbeTls.context(null)),
                new ParisTracer(), CheckExecutorLabTest::resolveOnApp, new CheckExecutor.Sink() {
                    @Override public void report(CheckReport report) { observerReports.add(report); }
                    @Override public boolean pending(String key, netwatcher.model.check.CheckRole role) { return false; }
                })) {
            CheckOrder armed = new CheckOrder(key, "/checks/" + key, CheckRole.OBSERVER, true, unresolved, null, Instant.now(), null);
            observer.apply(List.of(armed), true);
            awaitState(observerReports, ReportState.ARMED);

            CheckReport source = run(realHost("app"), source(key, unresolved, spec));
            sourceOut.add(source);
            observer.apply(List.of(new CheckOrder(key, "/checks/" + key, CheckRole.OBSERVER, false, source.flow(), null,
                    Instant.now(), null)), true);
            CheckReport done = awaitState(observerReports, ReportState.DONE);
            observer.apply(List.of(), true); // the controller stops listing it
            ExecResult tables = LAB.lab().exec(host, "nft", "list", "tables");
            assertFalse(tables.stdout().contains("nw_trace_"), () -> "trace table left on " + host + ": " + tables.stdout());
            return done;
        }
    }

    static CheckReport.Finding named(CheckReport report, String ruleName) {
        return report.findings().stream().filter(f -> ruleName.equals(f.context().get("RuleName"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + ruleName + " in " + report.findings()));
    }

    @Test
    void observerOnFw2_withRealNftables_namesUserRulePort80FromItsCountersAndTrace() throws Exception {
        List<CheckReport> source = new ArrayList<>();
        CheckReport done = observe("fw2", "obs", new Flow("Tcp", null, 0, null, "db.lab.test", 80, null, null),
                new ProbeSpec(5, 300, 6, null), source);

        assertEquals(Map.of("timeout", 5), source.getFirst().probes().outcomes());
        CheckReport.Finding rule = named(done, "UserRule_Port80");
        assertEquals("NetworkSecurityRule", rule.type());
        assertEquals("trace", rule.evidence()); // the trace saw the flow's packets dropped by it
        assertTrue(rule.context().get("Counters").startsWith("+"), rule.context().toString());
    }

    @Test
    void observerOnDb_dropWithoutCounterInItsOwnTable_isNamed() throws Exception {
        exec("db", "nft add table inet nwt_t && nft add chain inet nwt_t c '{ type filter hook input priority 0; }'"
                + " && nft add rule inet nwt_t c ip saddr 198.18.1.10 tcp dport 1433 drop comment '\"x\"'");
        try {
            List<CheckReport> source = new ArrayList<>();
            CheckReport done = observe("db", "nocounter", new Flow("Tcp", null, 0, "198.18.3.10", null, 1433, null, null),
                    new ProbeSpec(4, 300, 6, null), source);

            assertEquals(Map.of("timeout", 4), source.getFirst().probes().outcomes());
            CheckReport.Finding rule = named(done, "x");
            assertEquals("GuestFirewall", rule.type());
            assertEquals("Inbound", rule.origin());
            assertEquals("trace", rule.evidence());
        } finally {
            exec("db", "nft delete table inet nwt_t");
        }
    }

    @Test
    void observerOnFw1_rejectOnItsForwardHook_isNamedAsTheRule() throws Exception {
        exec("fw1", "nft add table inet nwt_rej && nft add chain inet nwt_rej guard '{ type filter hook forward priority 0; }'"
                + " && nft add rule inet nwt_rej guard tcp dport 1434 reject with icmp type admin-prohibited");
        try {
            List<CheckReport> source = new ArrayList<>();
            CheckReport done = observe("fw1", "reject", new Flow("Tcp", null, 0, "198.18.3.10", null, 1434, null, null),
                    new ProbeSpec(4, 300, 6, null), source);

            assertEquals(Map.of("rejected", 4), source.getFirst().probes().outcomes(), source.toString());
            CheckReport.Finding rule = done.findings().stream().filter(f -> f.type().equals("NetworkSecurityRule")).findFirst()
                    .orElseThrow(() -> new AssertionError(done.findings().toString()));
            assertEquals("reject", rule.context().get("Verdict"));
            assertTrue(rule.context().get("RuleName").startsWith("inet/nwt_rej/guard/"), rule.context().toString());
            assertEquals("tcp dport 1434 reject with icmp admin-prohibited", rule.context().get("RuleText"));
        } finally {
            exec("fw1", "nft delete table inet nwt_rej");
        }
    }

    @Test
    void observerOffThePath_namesNoRuleEvenWhereItsRulesetWouldDrop() throws Exception {
        // inet (198.18.200.2) would drop the flow in its forward hook, but app → db never crosses it
        exec("inet", "nft add table inet nwt_off && nft add chain inet nwt_off guard '{ type filter hook forward priority 0; }'"
                + " && nft add rule inet nwt_off guard tcp dport 80 drop comment OffPathDrop");
        try {
            List<CheckReport> source = new ArrayList<>();
            CheckReport done = observe("inet", "offpath", new Flow("Tcp", null, 0, "198.18.3.10", null, 80, null, null),
                    new ProbeSpec(3, 300, 6, null), source);

            assertTrue(done.findings().stream().noneMatch(f -> f.type().equals("NetworkSecurityRule")
                    || f.type().equals("GuestFirewall")), done.findings().toString());
        } finally {
            exec("inet", "nft delete table inet nwt_off");
        }
    }

    @Test
    void source_withBlackholeRouteOnApp_reportsUserDefinedRoute() throws Exception {
        exec("app", "ip route add blackhole 198.18.201.99/32");
        try {
            CheckReport done = run(realHost("app"), source("bh", new Flow("Tcp", null, 0, "198.18.201.99", null, 443, null, null),
                    new ProbeSpec(3, 300, 5, null)));

            CheckReport.Finding route = done.findings().stream().filter(f -> f.type().equals("UserDefinedRoute")).findFirst()
                    .orElseThrow(() -> new AssertionError(done.findings().toString()));
            assertEquals("route-lookup", route.evidence());
            assertEquals(Map.of("unreachable", 3), done.probes().outcomes());
            assertEquals("unreachable", done.hops().getFirst().reply());
        } finally {
            exec("app", "ip route del blackhole 198.18.201.99/32");
        }
    }

    @Test
    void source_whenOwnFirewallDropsOutput_reportsGuestFirewallAndTimeouts() throws Exception {
        exec("app", "nft add table inet nwtout && nft add chain inet nwtout out '{ type filter hook output priority 0; }'"
                + " && nft add rule inet nwtout out tcp dport 1433 counter drop comment UserRule_NoSql");
        try {
            CheckReport done = run(realHost("app"), source("own", new Flow("Tcp", null, 0, "198.18.3.10", null, 1433, null, null),
                    new ProbeSpec(3, 300, 5, null)));

            // the kernel keeps a SYN its own output hook dropped for retransmission: to the prober it is silence
            assertEquals(Map.of("timeout", 3), done.probes().outcomes());
            CheckReport.Finding own = done.findings().stream().filter(f -> "UserRule_NoSql".equals(f.context().get("RuleName")))
                    .findFirst().orElseThrow(() -> new AssertionError(done.findings().toString()));
            assertEquals("GuestFirewall", own.type());
            assertEquals("Outbound", own.origin());
        } finally {
            exec("app", "nft delete table inet nwtout");
        }
    }

    static void exec(String host, String script) {
        ExecResult r = LAB.lab().exec(host, "sh", "-c", script);
        assertEquals(0, r.exitCode(), () -> host + ": " + script + " -> " + r);
    }

    static CheckReport awaitState(List<CheckReport> reports, ReportState state) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            for (CheckReport r : reports) if (r.state().equals(state) || r.state().equals(ReportState.FAILED)) return r;
            Thread.sleep(50);
        }
        throw new AssertionError("no " + state + " report within " + WAIT + ": " + reports);
    }
}
