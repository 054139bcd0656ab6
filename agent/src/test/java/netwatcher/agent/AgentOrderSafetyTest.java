package netwatcher.agent;

import netwatcher.agent.control.AgentJson;
import netwatcher.agent.control.JournalEntry;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.BpfFilters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Orders that could crash the agent, or be replayed into a crash: the daemon against the controller
 * double with the capture stand-in (filters are checked by real libpcap).
 */
@Tag("e2e")
class AgentOrderSafetyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir Path tmp;
    FakeController controller;
    StandInRunner runner = new StandInRunner();
    final List<Agent> agents = new ArrayList<>();

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
        s.put("report-interval", "200ms");
        s.put("host-poll-interval", "300ms");
        s.put("shutdown-grace", "5s");
        Agent agent = Agent.start(AgentConfig.fromSettings(s), runner, AgentDaemonTest.FAST, InstantSource.system());
        agents.add(agent);
        return agent;
    }

    static CaptureOrder order(String key, long timeLimit, List<CaptureOrder.WireFilter> filters) {
        return new CaptureOrder(key, "/subscriptions/sub1/resourceGroups/lab/providers/Microsoft.Network/networkWatchers/"
                + "NetworkWatcher_westeurope/packetCaptures/" + key, true, 0, 0, timeLimit, filters, null, null, Instant.now(), null);
    }

    CaptureReport awaitReport(String key, String what, java.util.function.Predicate<CaptureReport> p) throws InterruptedException {
        FakeController.await(what, WAIT, () -> controller.reports(key).stream().anyMatch(p));
        return controller.reports(key).stream().filter(p).findFirst().orElseThrow();
    }

    /** Lets the agent apply the orders a few more times (long polls answered). */
    void awaitMorePolls() throws InterruptedException {
        int before = controller.orderCalls();
        FakeController.await("three more order polls", WAIT, () -> controller.orderCalls() >= before + 3);
    }

    @Test
    void start_whenJournalHoldsACaptureThatWasStarting_reportsCaptureFailedOnceAndNeverStartsIt() throws Exception {
        // First life: enroll, then die while starting a capture: the journal says STARTING, no file yet
        // (the order killed the agent while its filter compiled, say).
        startAgent().close();
        CaptureOrder o = order("c-poison", 600, List.of());
        Files.write(tmp.resolve("state/captures/c-poison.json"), AgentJson.MAPPER.writeValueAsBytes(new JournalEntry(
                "c-poison", o, tmp.resolve("captures/c-poison.cap").toString(), JournalEntry.Phase.STARTING, null, false)));
        controller.putOrder(o); // the controller still wants it running

        startAgent();
        CaptureReport failed = awaitReport("c-poison", "CaptureFailed", r -> r.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.CaptureFailed, failed.stopReason());
        assertEquals(List.of(netwatcher.model.capture.CaptureError.CaptureFailed), failed.errors());
        assertTrue(failed.message().contains("while starting this capture"), failed.message());
        awaitMorePolls();
        assertEquals(List.of(failed), controller.reports("c-poison"), "reported once, nothing after");
        assertTrue(runner.sessions.isEmpty(), "never started again");
        JournalEntry journaled = AgentJson.MAPPER.readValue(tmp.resolve("state/captures/c-poison.json").toFile(), JournalEntry.class);
        assertEquals(JournalEntry.Phase.FINAL, journaled.phase());
    }

    @Test
    void order_whenMoreFiltersThanTheLimit_reportsCaptureFailedNamingTheLimit() throws Exception {
        startAgent();
        List<CaptureOrder.WireFilter> filters = new ArrayList<>();
        for (int i = 0; i <= BpfFilters.MAX_FILTERS; i++) {
            filters.add(new CaptureOrder.WireFilter("UDP", null, "198.18.0." + (i + 1), null, "53"));
        }
        controller.putOrder(order("c-many", 600, filters));
        CaptureReport r = awaitReport("c-many", "Error", x -> x.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.CaptureFailed, r.stopReason());
        assertTrue(r.message().contains("at most " + BpfFilters.MAX_FILTERS), r.message());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void order_whenNumbersOutsideArmBounds_reportsCaptureFailedWithoutCapturing() throws Exception {
        startAgent();
        controller.putOrder(order("c-forever", 1_000_000_000L, List.of()));
        CaptureReport r = awaitReport("c-forever", "Error", x -> x.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.CaptureFailed, r.stopReason());
        assertTrue(r.message().contains("timeLimitSeconds"), r.message());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void order_whenKeyUnusable_isIgnoredAndTheOtherOrdersStillRun() throws Exception {
        startAgent();
        controller.putOrder(order("../../etc/cron.d/x", 600, List.of()));
        controller.putOrder(order("k".repeat(5000), 600, List.of()));
        controller.putOrder(order("c-good", 600, List.of()));
        awaitReport("c-good", "Running", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        awaitMorePolls();
        assertEquals(1, runner.sessions.size(), runner.sessions.keySet().toString());
        assertTrue(runner.sessions.containsKey(tmp.resolve("captures/c-good.cap")));
        assertTrue(controller.reports().stream().allMatch(r -> r.key().equals("c-good")), controller.reports().toString());
        try (var files = Files.list(tmp.resolve("state/captures"))) {
            assertEquals(List.of("c-good.json"), files.map(f -> f.getFileName().toString()).toList());
        }
        assertFalse(Files.exists(tmp.resolve("etc")));
    }
}
