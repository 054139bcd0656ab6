package netwatcher.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.lab.ExecResult;
import netwatcher.lab.LabExtension;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.ProbeSpec;
import netwatcher.testing.netns.Netns;

/**
 * Probes and Paris traces from the lab's app host, with real traffic through fw1 and fw2: every
 * probe class (connected, refused, timeout, rejected, unreachable), HTTP status checks, HTTPS with
 * the lab CA, ICMP, and a trace whose packets are captured to prove the 5-tuple stayed constant.
 */
@Tag("netns")
class ProbeLabTest {
    @RegisterExtension static final LabExtension LAB = LabExtension.defaultLab();

    private static final String DB = "198.18.3.10";
    private static final String WEB = "198.18.201.10";
    private static final Prober.Settings FEW = new Prober.Settings(5, Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofSeconds(20));

    @TempDir Path dir;

    private static <T> T onApp(Callable<T> task) throws Exception {
        return Netns.call(LAB.lab().host("app").namespace(), task);
    }

    private static ProbeTarget tcp(String address, int port) throws Exception {
        return new ProbeTarget(ProbeTarget.Protocol.TCP, new InetSocketAddress(InetAddress.getByName(address), port), null, null, null);
    }

    private static ProbeRun probe(ProbeTarget target) throws Exception {
        return onApp(() -> new Prober(ProbeTls.context(null)).run(target, FEW));
    }

    private static void exec(String host, String script) {
        ExecResult r = LAB.lab().exec(host, "sh", "-c", script);
        assertEquals(0, r.exitCode(), () -> host + ": " + script + " -> " + r);
    }

    @Test
    void tcp_whenDestinationListens_isConnectedWithLatency() throws Exception {
        ProbeRun run = probe(tcp(DB, 1433));

        CheckReport.ProbeSummary s = run.summary();
        assertEquals(5, s.sent());
        assertEquals(0, s.failed());
        assertEquals(Map.of("connected", 5), s.outcomes());
        assertNotNull(s.minMs());
        assertNotNull(s.avgMs());
        run.results().forEach(r -> assertNotNull(r.latencyMs()));
        assertEquals("198.18.1.10", run.local().getAddress().getHostAddress());
        assertTrue(run.local().getPort() > 0);
    }

    @Test
    void tcp_whenPortClosed_isRefusedWithoutLatency() throws Exception {
        ProbeRun run = probe(tcp(DB, 5555));

        assertEquals(Map.of("refused", 5), run.summary().outcomes());
        assertEquals(5, run.summary().failed());
        assertNull(run.summary().minMs());
        run.results().forEach(r -> {
            assertNull(r.latencyMs());
            assertEquals(DB, r.responder());
        });
    }

    @Test
    void tcp_whenFw2DropsPort80_timesOut() throws Exception {
        ProbeRun run = probe(tcp(DB, 80));

        assertEquals(Map.of("timeout", 5), run.summary().outcomes());
        assertNull(run.summary().avgMs());
    }

    @Test
    void tcp_whenFw1RejectsAdminProhibited_isRejectedNamingFw1() throws Exception {
        exec("fw1", "nft add table inet nwtprobe && nft add chain inet nwtprobe nwforward '{ type filter hook forward priority -10; }'"
                + " && nft add rule inet nwtprobe nwforward tcp dport 2222 reject with icmp type admin-prohibited");
        try {
            ProbeRun run = probe(tcp(DB, 2222));

            assertEquals(Map.of("rejected", 5), run.summary().outcomes());
            run.results().forEach(r -> {
                assertEquals("198.18.1.1", r.responder());
                assertEquals("admin-prohibited", r.icmp());
            });
        } finally {
            exec("fw1", "nft delete table inet nwtprobe");
        }
    }

    @Test
    void tcp_whenFw2HasUnreachableRoute_isUnreachableNamingFw2() throws Exception {
        exec("fw2", "ip route add unreachable 198.18.3.99/32");
        try {
            // Linux rate-limits route errors per source host (ip_error: a token per second, burst 5, in the
            // inet_peer bucket that time-exceeded replies to the same host also drain), so some probes go
            // unanswered: those are honest timeouts. Probes 300 ms apart over 1.2 s earn at least one token.
            Prober.Settings spread = new Prober.Settings(5, Duration.ofMillis(500), Duration.ofMillis(300), Duration.ofSeconds(20));
            ProbeRun run = onApp(() -> new Prober(ProbeTls.context(null)).run(tcp("198.18.3.99", 1433), spread));

            assertEquals(5, run.results().size());
            run.results().forEach(r -> {
                assertTrue(r.outcome() == ProbeOutcome.UNREACHABLE || r.outcome() == ProbeOutcome.TIMEOUT, r::toString);
                if (r.outcome() == ProbeOutcome.UNREACHABLE) {
                    assertEquals("198.18.2.2", r.responder());
                    assertEquals("host-unreachable", r.icmp());
                }
            });
            assertTrue(run.summary().outcomes().getOrDefault("unreachable", 0) >= 1, run.summary()::toString);
            assertNull(run.summary().minMs());
        } finally {
            exec("fw2", "ip route del unreachable 198.18.3.99/32");
        }
    }

    @Test
    void tcp_whenFw2HasBlackholeRoute_timesOut() throws Exception {
        exec("fw2", "ip route add blackhole 198.18.3.98/32");
        try {
            ProbeRun run = probe(tcp("198.18.3.98", 1433));

            assertEquals(Map.of("timeout", 5), run.summary().outcomes());
        } finally {
            exec("fw2", "ip route del blackhole 198.18.3.98/32");
        }
    }

    @Test
    void tcp_whenDestinationRejectsWithPortUnreachable_isRejectedNamingTheDestination() throws Exception {
        exec("db", "nft add table inet nwtprobe && nft add chain inet nwtprobe nwinput '{ type filter hook input priority -10; }'"
                + " && nft add rule inet nwtprobe nwinput tcp dport 2223 reject with icmp type port-unreachable");
        try {
            ProbeRun run = probe(tcp(DB, 2223));

            assertEquals(Map.of("rejected", 5), run.summary().outcomes());
            run.results().forEach(r -> {
                assertEquals(DB, r.responder());
                assertEquals("port-unreachable", r.icmp());
            });
        } finally {
            exec("db", "nft delete table inet nwtprobe");
        }
    }

    @Test
    void tcp_whenSourceAddressIsNotLocal_throwsBindFailure() throws Exception {
        ProbeTarget target = new ProbeTarget(ProbeTarget.Protocol.TCP, new InetSocketAddress(InetAddress.getByName(DB), 1433),
                new InetSocketAddress(InetAddress.getByName("198.18.9.9"), 0), null, null);

        ProbeException e = assertThrows(ProbeException.class, () -> onApp(() -> new Prober(ProbeTls.context(null)).run(target, FEW)));
        assertEquals("bind", e.stage());
    }

    @Test
    void http_when503AndValidIs200_isStatusMismatch() throws Exception {
        ProbeSpec.Http http = new ProbeSpec.Http("Get", List.of(new ProbeSpec.Header("X-Probe", "nw")), List.of(200), "/status/503");
        ProbeRun run = probe(new ProbeTarget(ProbeTarget.Protocol.HTTP, new InetSocketAddress(InetAddress.getByName(WEB), 80),
                null, "web.lab.test", http));

        assertEquals(Map.of("httpStatusMismatch", 5), run.summary().outcomes());
        assertEquals(503, run.summary().httpStatus());
        assertNull(run.summary().minMs());
    }

    @Test
    void http_whenPortClosed_isRefusedAndWhenDropped_timesOut() throws Exception {
        ProbeRun closed = probe(new ProbeTarget(ProbeTarget.Protocol.HTTP, new InetSocketAddress(InetAddress.getByName(DB), 8080),
                null, "db.lab.test", null));
        ProbeRun dropped = probe(new ProbeTarget(ProbeTarget.Protocol.HTTP, new InetSocketAddress(InetAddress.getByName(DB), 80),
                null, "db.lab.test", null));

        assertEquals(Map.of("refused", 5), closed.summary().outcomes());
        assertEquals(Map.of("timeout", 5), dropped.summary().outcomes());
        assertNull(closed.summary().httpStatus());
    }

    @Test
    void http_when200_isConnectedWithLatency() throws Exception {
        ProbeRun run = probe(new ProbeTarget(ProbeTarget.Protocol.HTTP, new InetSocketAddress(InetAddress.getByName(WEB), 80),
                null, "web.lab.test", null));

        assertEquals(Map.of("connected", 5), run.summary().outcomes());
        assertEquals(200, run.summary().httpStatus());
        assertNotNull(run.summary().maxMs());
    }

    @Test
    void https_withLabCa_isConnected_andWithoutIt_fails() throws Exception {
        ProbeTarget target = new ProbeTarget(ProbeTarget.Protocol.HTTPS, new InetSocketAddress(InetAddress.getByName(WEB), 443),
                null, "web.lab.test", null);

        Prober.Settings settings = new Prober.Settings(5, Duration.ofSeconds(3), Duration.ofMillis(10), Duration.ofSeconds(30));
        ProbeRun trusted = onApp(() -> new Prober(ProbeTls.context(LAB.lab().caCertificate())).run(target, settings));
        ProbeRun untrusted = onApp(() -> new Prober(ProbeTls.context(null)).run(target, settings));

        assertEquals(Map.of("connected", 5), trusted.summary().outcomes());
        assertEquals(200, trusted.summary().httpStatus());
        assertEquals(Map.of("tlsFailure", 5), untrusted.summary().outcomes());
        assertTrue(untrusted.results().getFirst().detail().startsWith("TLS UntrustedCertificate"), untrusted.results().getFirst().detail());
        assertEquals(TlsProblem.UNTRUSTED_CERTIFICATE, untrusted.results().getFirst().tls());
    }

    @Test
    void icmp_toDb_isConnected() throws Exception {
        ProbeRun run = probe(new ProbeTarget(ProbeTarget.Protocol.ICMP, new InetSocketAddress(InetAddress.getByName(DB), 0),
                null, null, null));

        assertEquals(Map.of("connected", 5), run.summary().outcomes());
        assertNotNull(run.summary().minMs());
    }

    @Test
    void icmp_toDbOverIpv6_isConnected() throws Exception {
        String db6 = LAB.lab().host("db").ipv6().orElseThrow();
        ProbeRun run = probe(new ProbeTarget(ProbeTarget.Protocol.ICMP, new InetSocketAddress(InetAddress.getByName(db6), 0),
                null, null, null));

        assertEquals(Map.of("connected", 5), run.summary().outcomes());
    }

    @Test
    void trace_tcpToDb_listsFw1Fw2AndDestination() throws Exception {
        ParisTracer.Trace trace = onApp(() -> new ParisTracer().trace(tcp(DB, 1433), ParisTracer.Settings.DEFAULT));

        List<CheckReport.TraceHop> hops = trace.hops();
        assertEquals(3, hops.size(), hops::toString);
        assertEquals("198.18.1.1", hops.get(0).address());
        assertEquals("timeExceeded", hops.get(0).reply());
        assertEquals("198.18.2.2", hops.get(1).address());
        assertEquals(DB, hops.get(2).address());
        assertEquals("destination", hops.get(2).reply());
        assertFalse(hops.get(0).rttMs().isEmpty());
    }

    @Test
    void trace_tcpToDroppedPort_reportsSilentHopsAsNoneAndKeepsTheFiveTuple() throws Exception {
        Path pcap = dir.resolve("trace.pcap");
        Process tcpdump = LAB.lab().spawn("app", List.of("tcpdump", "-U", "-n", "-i", "eth0", "-w", pcap.toString(),
                "tcp[tcpflags] & tcp-syn != 0 and dst host " + DB), dir.resolve("tcpdump.log"));
        try {
            // tcpdump says "listening on" once armed (a fixed second was not always enough on a loaded CI machine)
            long armedBy = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < armedBy && !(Files.exists(dir.resolve("tcpdump.log"))
                    && Files.readString(dir.resolve("tcpdump.log")).contains("listening on"))) {
                Thread.sleep(20);
            }
            Thread.sleep(100);
            ParisTracer.Trace trace = onApp(() -> new ParisTracer().trace(tcp(DB, 80), ParisTracer.Settings.DEFAULT));

            List<CheckReport.TraceHop> hops = trace.hops();
            assertEquals(List.of("198.18.1.1", "198.18.2.2"), hops.subList(0, 2).stream().map(CheckReport.TraceHop::address).toList());
            // the first pass stops 2 silent TTLs past fw2; their retries stay silent too (a drop, not a rate limit)
            assertEquals(4, hops.size(), hops::toString);
            for (CheckReport.TraceHop silent : hops.subList(2, 4)) {
                assertNull(silent.address());
                assertEquals("none", silent.reply());
                assertTrue(silent.rttMs().isEmpty());
            }
            Thread.sleep(500);
            tcpdump.destroy();
            tcpdump.waitFor();
            ExecResult read = LAB.lab().exec("app", "tcpdump", "-n", "-r", pcap.toString());
            Matcher m = Pattern.compile("IP 198\\.18\\.1\\.10\\.(\\d+) > 198\\.18\\.3\\.10\\.(\\d+):").matcher(read.stdout());
            Set<String> tuples = new java.util.HashSet<>();
            int packets = 0;
            while (m.find()) {
                tuples.add(m.group(1) + ">" + m.group(2));
                packets++;
            }
            // 2 per answering TTL, 1 per silent TTL in the first pass, 3 retries of the first silent one
            assertTrue(packets >= 2 + 2 + 1 + 1 + 3, () -> "expected at least 9 SYNs, got " + read.stdout());
            assertEquals(Set.of(trace.source().getPort() + ">80"), tuples, read::stdout);
        } finally {
            tcpdump.destroy();
        }
    }

    @Test
    void trace_icmpToDb_listsFw1Fw2AndDestination() throws Exception {
        ParisTracer.Trace trace = onApp(() -> new ParisTracer().trace(
                new ProbeTarget(ProbeTarget.Protocol.ICMP, new InetSocketAddress(InetAddress.getByName(DB), 0), null, null, null),
                ParisTracer.Settings.DEFAULT));

        assertEquals(List.of("198.18.1.1", "198.18.2.2", DB),
                trace.hops().stream().map(CheckReport.TraceHop::address).collect(Collectors.toList()));
    }

    @Test
    void icmpRequests_keepIdAndChecksumConstant() {
        try (IcmpEcho echo = new IcmpEcho(InetAddress.getLoopbackAddress(), 0x1234)) {
            byte[] a = echo.request(1);
            byte[] b = echo.request(777);
            assertEquals(a[2], b[2]);
            assertEquals(a[3], b[3]);
            assertEquals(a[4], b[4]);
            assertEquals(a[5], b[5]);
            assertFalse(a[7] == b[7] && a[6] == b[6]);
        }
    }
}
