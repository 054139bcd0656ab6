package netwatcher.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.control.AgentJson;
import netwatcher.agent.control.JournalEntry;
import netwatcher.agent.ring.RingState;
import netwatcher.model.agent.CaptureGap;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.RingFileReport;
import netwatcher.model.agent.RingOrder;
import netwatcher.model.agent.RingReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ring the agent was running when it was killed, as the state directory and the captures directory hold it after a
 * {@code kill -9}: the journal's entry, the ring state, a closed file and the file being written (its last record torn).
 * A new agent against a real (fake) controller resumes it with the next file index and the gap listed, ends it as its
 * limits say, or reports it lost when its state is damaged, never crashing.
 */
@Tag("e2e")
class AgentRingResumeTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir Path tmp;
    FakeController controller;
    StandInRunner runner = new StandInRunner();
    Agent agent;
    Path capture;
    Path closed2;
    Path open3;
    final Instant started = Instant.now().minusSeconds(60);

    @BeforeEach
    void start() throws Exception {
        controller = new FakeController().start();
        capture = tmp.resolve("captures/ring1.cap");
        Files.createDirectories(capture.getParent());
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
        controller.stop();
    }

    Agent startAgent() throws Exception {
        Map<String, String> s = controller.agentSettings(tmp);
        s.put("report-interval", "200ms");
        s.put("host-poll-interval", "300ms");
        s.put("shutdown-grace", "5s");
        return Agent.start(AgentConfig.fromSettings(s), runner, AgentDaemonTest.FAST, InstantSource.system());
    }

    CaptureOrder ringOrder(boolean run, long timeLimitSeconds, Instant createdAt) {
        return new CaptureOrder("ring1", "/subscriptions/sub1/resourceGroups/lab/providers/Microsoft.Network/networkWatchers/"
                + "NetworkWatcher_westeurope/packetCaptures/ring1", run, 0, 0, timeLimitSeconds, List.of(), capture.toString(), null,
                createdAt, new RingOrder(3, 4096, true));
    }

    static byte[] pcap(Instant first, int packets, int tornBytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(StandInRunner.header());
        for (int i = 0; i < packets; i++) out.write(StandInRunner.record(first.plusMillis(i * 10L), 60));
        out.write(new byte[tornBytes]); // a record cut short by the kill
        return out.toByteArray();
    }

    /**
     * What a killed agent leaves: file 1 was removed from the ring, file 2 closed (4 packets), file 3 being written
     * (3 whole packets and a torn one); the ring state was saved when file 2 closed.
     */
    void killedAgentLeftARing(CaptureOrder order, byte[] ringStateJson) throws Exception {
        Instant t2 = started.plusSeconds(20), t3 = started.plusSeconds(40);
        closed2 = capture.resolveSibling(RingFile.name(capture, 2, t2));
        open3 = capture.resolveSibling(RingFile.name(capture, 3, t3));
        Files.write(closed2, pcap(t2, 4, 0));
        Files.write(open3, pcap(t3, 3, 30));
        RingFileReport f1 = new RingFileReport(RingFile.name(capture, 1, started), 1, 24 + 76 * 5, 5, started, started.plusSeconds(1),
                false, UploadState.NONE, false, false);
        RingFileReport f2 = new RingFileReport(closed2.getFileName().toString(), 2, Files.size(closed2), 4, t2, t2.plusMillis(30),
                false, UploadState.NONE, true, false);
        CaptureReport running = new CaptureReport("ring1", CaptureStatus.Running, null, List.of(), null, started, null,
                9, 0, 9, 0, 0, started, t2.plusMillis(30), capture.toString(), UploadState.NONE, 0, null,
                new RingReport(List.of(f1, f2), 3, 0, t2, t2.plusMillis(30)));
        Path state = tmp.resolve("state");
        Files.createDirectories(state.resolve("captures"));
        Files.write(state.resolve("captures/ring1.json"), AgentJson.MAPPER.writeValueAsBytes(
                new JournalEntry("ring1", order, capture.toString(), JournalEntry.Phase.RUNNING, running, false)));
        Files.createDirectories(state.resolve("rings"));
        byte[] ring = ringStateJson != null ? ringStateJson : AgentJson.MAPPER.writeValueAsBytes(
                new RingState("ring1", 2, 3, 0, 9, 24 + 76 * 5 + Files.size(closed2), List.of(f2), List.of()));
        Files.write(state.resolve("rings/ring1.json"), ring);
        controller.putOrder(order);
    }

    CaptureReport await(String what, Predicate<CaptureReport> p) throws InterruptedException {
        FakeController.await(what, WAIT, () -> controller.reports("ring1").stream().anyMatch(p));
        return controller.reports("ring1").stream().filter(p).findFirst().orElseThrow();
    }

    @Test
    void resume_continuesWithTheNextIndex_repairsTheOpenFile_listsTheGap_andCountsOn() throws Exception {
        killedAgentLeftARing(ringOrder(true, 600, Instant.now()), null);
        byte[] closedBefore = Files.readAllBytes(closed2);
        agent = startAgent();

        CaptureReport r = await("a running report with a gap", x -> x.status() == CaptureStatus.Running && x.ring() != null
                && !x.ring().gaps().isEmpty());
        StandInRunner.Session s = runner.only();
        assertEquals(4, s.spec.ring().firstIndex(), "files 1-3 were used before the restart");
        assertEquals(4, RingFile.indexOf(s.file.getFileName().toString()));
        assertEquals(started, r.startTime(), "the capture's start is the first agent's");
        assertEquals(5 + 4 + 3, r.packets(), "counters go on: 5 in file 1, 4 in file 2, 3 whole ones in file 3");
        CaptureGap gap = r.ring().gaps().getFirst();
        assertEquals(CaptureGap.AGENT_RESTART, gap.cause());
        assertFalse(gap.to().isBefore(gap.from()), gap.toString());
        assertTrue(gap.from().isAfter(started.plusSeconds(39)), "the gap starts at file 3's last write or packet: " + gap);
        List<Long> indexes = r.ring().files().stream().map(RingFileReport::index).toList();
        assertTrue(indexes.containsAll(List.of(2L, 3L)), "the files from before the restart are listed: " + indexes);
        assertArrayEquals(closedBefore, Files.readAllBytes(closed2), "a closed file is never rewritten");
        assertEquals(24 + 3 * 76, Files.size(open3), "the torn record of the file being written was cut off");

        s.tick(2);
        await("counters summed across the restart", x -> x.status() == CaptureStatus.Running && x.packets() == 5 + 4 + 3 + 2);
        controller.putOrder(ringOrder(false, 600, Instant.now()));
        CaptureReport end = await("stopped", x -> x.status() == CaptureStatus.Stopped);
        assertEquals(StopReason.StoppedByRequest, end.stopReason());
        assertEquals(1, end.ring().gaps().size(), end.toString());
    }

    @Test
    void timeLimitPassedWhileTheAgentWasDown_endsTimeExceeded_withoutCapturingAgain() throws Exception {
        killedAgentLeftARing(ringOrder(true, 50, started), null);
        agent = startAgent();
        CaptureReport end = await("an end", x -> x.status().isTerminal());
        assertEquals(CaptureStatus.Stopped, end.status(), end.toString());
        assertEquals(StopReason.TimeExceeded, end.stopReason(), end.toString());
        assertEquals(12, end.packets(), end.toString());
        assertTrue(runner.sessions.isEmpty(), "no capture was started again");
        assertTrue(end.ring().files().stream().anyMatch(f -> f.index() == 3), "the file being written is listed: " + end.ring());
    }

    @Test
    void damagedRingState_isNotResumed_butReportedAgentLost() throws Exception {
        killedAgentLeftARing(ringOrder(true, 600, Instant.now()), "{\"key\":\"ring1\",\"lastClosedIndex\":2,\"files\":[{\"na".getBytes());
        agent = startAgent();
        CaptureReport lost = await("AgentLost", x -> x.stopReason() == StopReason.AgentLost);
        assertEquals(CaptureStatus.Error, lost.status());
        assertTrue(lost.message().contains("unreadable"), lost.message());
        Thread.sleep(1000); // the orders still say run: the agent must not start it again
        assertTrue(runner.sessions.isEmpty(), "a ring whose state is damaged is not resumed from a guess");
    }

    @Test
    void ringStateOfAnotherCaptureOrWithImpossibleCounts_isNotResumed() throws Exception {
        killedAgentLeftARing(ringOrder(true, 600, Instant.now()),
                "{\"key\":\"ring1\",\"lastClosedIndex\":1,\"filesWritten\":3,\"filesLost\":0,\"closedPackets\":-4}".getBytes());
        agent = startAgent();
        CaptureReport lost = await("AgentLost", x -> x.stopReason() == StopReason.AgentLost);
        assertTrue(lost.message().contains("ring state"), lost.message());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void damagedJournalEntry_isReportedLost_andNotStartedAgain() throws Exception {
        killedAgentLeftARing(ringOrder(true, 600, Instant.now()), null);
        Files.write(tmp.resolve("state/captures/ring1.json"), "{\"key\":\"ring1\",\"order\":{\"ke".getBytes());
        agent = startAgent();
        CaptureReport lost = await("AgentLost", x -> x.stopReason() == StopReason.AgentLost);
        assertEquals(CaptureStatus.Error, lost.status());
        Thread.sleep(1000);
        assertTrue(runner.sessions.isEmpty(), "no fresh capture under the same key");
        assertNull(lost.ring());
    }

    @Test
    void cleanShutdown_pausesTheRingInsteadOfEndingIt_andTheNextStartResumesIt() throws Exception {
        controller.putOrder(ringOrder(true, 600, Instant.now()));
        Agent first = startAgent();
        await("running", x -> x.status() == CaptureStatus.Running);
        StandInRunner.Session s = runner.only();
        s.tick(3);
        first.close(); // an upgrade: SIGTERM
        assertTrue(controller.reports("ring1").stream().noneMatch(x -> x.status().isTerminal()),
                "a ring is not ended by the agent's shutdown: " + controller.reports("ring1"));
        runner.sessions.clear();
        agent = startAgent();
        CaptureReport r = await("resumed", x -> x.status() == CaptureStatus.Running && x.ring() != null && !x.ring().gaps().isEmpty());
        assertEquals(2, runner.only().spec.ring().firstIndex(), "file 1 was written before the shutdown");
        assertEquals(3, r.packets(), r.toString());
        assertTrue(r.ring().files().stream().anyMatch(f -> f.index() == 1 && !f.open()), r.ring().toString());
    }
}
