package netwatcher.agent;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.agent.check.HostEvaluation;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;

/**
 * The daemon carries out check orders from the long poll and delivers their reports, with real
 * probes on loopback, against the controller double; the host evaluation is a small deterministic
 * double whose snapshots count up, so "counters moved" is visible in the observer's findings.
 */
@Tag("e2e")
class AgentChecksTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir Path tmp;
    FakeController controller;
    final List<Agent> agents = new ArrayList<>();
    final CountingHost host = new CountingHost();

    /** Snapshots are numbered; explain reports how far the number moved. verify/nextHop answer fixed values. */
    static final class CountingHost implements HostEvaluation {
        record Numbered(int n) implements Snapshot {}

        final AtomicInteger snapshots = new AtomicInteger();

        @Override public Snapshot snapshot() { return new Numbered(snapshots.incrementAndGet()); }

        @Override
        public List<CheckReport.Finding> explain(Snapshot before, Snapshot after, Flow flow, boolean src) {
            return List.of(new CheckReport.Finding("NetworkSecurityRule", src ? "Outbound" : "Inbound", "Error",
                    Map.of("Before", Integer.toString(((Numbered) before).n()), "After", Integer.toString(((Numbered) after).n()),
                            "Destination", String.valueOf(flow.destinationAddress())), "counters"));
        }

        @Override public CheckReport.Verdict verify(Flow flow) { return new CheckReport.Verdict("Deny", "UserRule_Port80", Map.of()); }

        @Override public CheckReport.NextHop nextHop(Flow flow) { return new CheckReport.NextHop("VnetLocal", null, false, "local"); }

        @Override public Optional<CheckReport.Finding> routeFinding(Flow flow) { return Optional.empty(); }
    }

    @BeforeEach
    void startController() throws IOException {
        controller = new FakeController().start();
    }

    @AfterEach
    void stopAll() {
        agents.forEach(Agent::close);
        controller.stop();
    }

    Agent startAgent() throws IOException {
        Map<String, String> s = controller.agentSettings(tmp);
        Agent agent = Agent.start(AgentConfig.fromSettings(s), new StandInRunner(), AgentDaemonTest.FAST,
                InstantSource.system(), host);
        agents.add(agent);
        return agent;
    }

    static CheckOrder source(String key, int port, int probes) {
        return new CheckOrder(key, "/checks/" + key, CheckRole.SOURCE, true,
                new Flow("Tcp", null, 0, "127.0.0.1", null, port, null, null), new ProbeSpec(probes, 500, 5, null), Instant.now(), null);
    }

    CheckReport await(String key, ReportState state) throws InterruptedException {
        FakeController.await(key + " " + state, WAIT, () -> controller.checkReports(key).stream().anyMatch(r -> r.state().equals(state)));
        return controller.checkReports(key).stream().filter(r -> r.state().equals(state)).findFirst().orElseThrow();
    }

    @Test
    void source_whenPortListens_reportsConnectedProbesTraceAndResolvedFlow() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            startAgent();
            controller.putCheck(source("chk-open", server.getLocalPort(), 10));

            CheckReport done = await("chk-open", ReportState.DONE);

            assertEquals(CheckRole.SOURCE, done.role());
            assertEquals(10, done.probes().sent());
            assertEquals(0, done.probes().failed());
            assertEquals(Map.of("connected", 10), done.probes().outcomes());
            assertNotNull(done.probes().avgMs());
            assertEquals("127.0.0.1", done.flow().sourceAddress());
            assertTrue(done.flow().sourcePort() > 0);
            assertEquals(server.getLocalPort(), done.flow().destinationPort());
            assertEquals(1, done.hops().size(), done.hops()::toString);
            assertEquals("destination", done.hops().getFirst().reply());
            assertEquals("127.0.0.1", done.hops().getFirst().address());
            assertEquals("Outbound", done.findings().getFirst().origin()); // the source explained its own part
            assertEquals(List.of(), controller.violations());
        }
    }

    @Test
    void source_whileProbing_deliversInterimReportsThenTheFinalOne() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> { // accept and close, so the backlog never fills
                while (!server.isClosed()) {
                    try {
                        server.accept().close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            startAgent();
            controller.putCheck(source("chk-interim", server.getLocalPort(), 100)); // 100 probes paced 10 ms: about 1 s

            CheckReport done = await("chk-interim", ReportState.DONE);

            List<CheckReport> all = controller.checkReports("chk-interim");
            List<CheckReport> interim = all.stream().filter(r -> r.state() == ReportState.PROBING).toList();
            assertTrue(!interim.isEmpty(), "no interim report during about a second of probing: " + all);
            assertEquals(done, all.getLast(), "nothing follows the final report: " + all);
            assertTrue(interim.stream().allMatch(r -> r.probes().sent() <= 100 && r.findings().isEmpty()), interim::toString);
            assertTrue(interim.stream().anyMatch(r -> r.probes().sent() < 100), "an interim report came mid-probing: " + interim);
            assertEquals(100, done.probes().sent());
            assertEquals(List.of(), controller.violations());
        }
    }

    @Test
    void source_whenNothingListens_reportsPortClosed() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        startAgent();
        controller.putCheck(source("chk-closed", closed, 5));

        CheckReport done = await("chk-closed", ReportState.DONE);

        assertEquals(Map.of("refused", 5), done.probes().outcomes());
        assertNull(done.probes().minMs());
        CheckReport.Finding portClosed = done.findings().stream().filter(f -> f.type().equals("PortClosed")).findFirst().orElseThrow();
        assertEquals("Local", portClosed.origin()); // on the hop that refused: the destination's (context Address)
        assertEquals("127.0.0.1", portClosed.context().get("Address"));
        assertEquals(Integer.toString(closed), portClosed.context().get("Port"));
        assertEquals("probe", portClosed.evidence());
    }

    @Test
    void source_whenSourcePortIsTaken_reportsSocketBind() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            startAgent();
            controller.putCheck(new CheckOrder("chk-bind", "/checks/chk-bind", CheckRole.SOURCE, true,
                    new Flow("Tcp", "127.0.0.1", taken.getLocalPort(), "127.0.0.1", null, taken.getLocalPort(), null, null),
                    new ProbeSpec(3, 500, 5, null), Instant.now(), null));

            CheckReport done = await("chk-bind", ReportState.DONE);

            CheckReport.Finding bind = done.findings().stream().filter(f -> f.type().equals("SocketBind")).findFirst().orElseThrow();
            assertEquals("Local", bind.origin());
            assertEquals(Integer.toString(taken.getLocalPort()), bind.context().get("Port"));
            assertEquals(0, done.probes().sent());
        }
    }

    @Test
    void observer_armsWhileActive_thenExplainsTheResolvedFlowWhenInactive() throws Exception {
        startAgent();
        Flow unresolved = new Flow("Tcp", null, 0, null, "db.lab.test", 80, null, null);
        controller.putCheck(new CheckOrder("chk-obs", "/checks/chk-obs", CheckRole.OBSERVER, true, unresolved, null, Instant.now(), null));

        await("chk-obs", ReportState.ARMED);
        // another generation while armed must not repeat the armed report
        controller.putCheck(new CheckOrder("chk-other", "/v", CheckRole.VERIFY, true, unresolved, null, Instant.now(), null));
        await("chk-other", ReportState.DONE);
        Flow resolved = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", "db.lab.test", 80, null, null);
        controller.putCheck(new CheckOrder("chk-obs", "/checks/chk-obs", CheckRole.OBSERVER, false, resolved, null, Instant.now(), null));
        CheckReport done = await("chk-obs", ReportState.DONE);

        assertEquals(resolved, done.flow());
        CheckReport.Finding f = done.findings().getFirst();
        assertEquals("Inbound", f.origin());
        assertEquals("198.18.3.10", f.context().get("Destination"));
        assertTrue(Integer.parseInt(f.context().get("After")) > Integer.parseInt(f.context().get("Before")), f::toString);
        assertEquals(1, controller.checkReports("chk-obs").stream().filter(r -> r.state().equals(ReportState.ARMED)).count());
    }

    @Test
    void verifyAndNextHop_reportTheHostsAnswers() throws Exception {
        startAgent();
        Flow flow = new Flow("TCP", "198.18.1.10", 1234, "198.18.3.10", null, 80, "Outbound", null);
        controller.putCheck(new CheckOrder("chk-v", "/v", CheckRole.VERIFY, true, flow, null, Instant.now(), null));
        controller.putCheck(new CheckOrder("chk-n", "/n", CheckRole.NEXTHOP, true, flow, null, Instant.now(), null));

        assertEquals("Deny", await("chk-v", ReportState.DONE).verdict().access());
        assertEquals("VnetLocal", await("chk-n", ReportState.DONE).nextHop().type());
    }

    @Test
    void reports_whenControllerIsDown_waitInTheOutboxAndArriveLater() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Agent agent = startAgent();
            FakeController.await("first orders", WAIT, () -> agent.reconciler().appliedGeneration() >= 1);
            controller.putCheck(source("chk-outage", server.getLocalPort(), 3));
            FakeController.await("orders with the check", WAIT, () -> agent.reconciler().appliedGeneration() >= 2);
            controller.stop();
            Thread.sleep(1500); // the check finishes while the controller is down
            assertEquals(List.of(), controller.checkReports("chk-outage"));
            controller.start();

            CheckReport done = await("chk-outage", ReportState.DONE);
            assertEquals(3, done.probes().sent());
        }
    }

    @Test
    void source_whenDoneBeforeRestartAndStillListed_isNotProbedAgain() throws Exception {
        controller.keepFinishedChecks(true); // even a controller that keeps listing it gets no second run
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Agent first = startAgent();
            FakeController.await("first orders", WAIT, () -> first.reconciler().appliedGeneration() >= 1);
            controller.putCheck(source("chk-restart", server.getLocalPort(), 3));
            FakeController.await("orders with the check", WAIT, () -> first.reconciler().appliedGeneration() >= 2);
            controller.stop();
            FakeController.await("check done while the controller is down", WAIT,
                    () -> java.nio.file.Files.exists(tmp.resolve("state/check-outbox.json")));
            first.close();
            agents.remove(first);
            CheckReport before = new netwatcher.agent.control.Journal(tmp.resolve("state")).queuedCheck("chk-restart", CheckRole.SOURCE)
                    .orElseThrow();
            int snapshotsBefore = host.snapshots.get();

            controller.start();
            startAgent();
            CheckReport delivered = await("chk-restart", ReportState.DONE);

            assertEquals(before, delivered);
            FakeController.await("a few more generations", WAIT, () -> controller.orderCalls() > 3);
            assertEquals(snapshotsBefore, host.snapshots.get()); // no second run
            assertEquals(1, controller.checkReports("chk-restart").size());
        }
    }
}
