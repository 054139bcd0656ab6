package netwatcher.agent;

import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.agent.control.AgentJson;
import netwatcher.agent.control.CaptureRunner;
import netwatcher.agent.control.JournalEntry;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.UploadTarget;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon against the controller double, with the capture stand-in (no root needed). */
@Tag("e2e")
class AgentDaemonTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    static final Agent.Tuning FAST = new Agent.Tuning(2, Duration.ofMillis(50), Duration.ofMillis(500),
            Duration.ofMillis(50), Duration.ofMillis(300));

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

    AgentConfig config(Map<String, String> extra) {
        Map<String, String> s = controller.agentSettings(tmp);
        s.put("report-interval", "200ms");
        s.put("host-poll-interval", "300ms");
        s.put("upload-retry-limit", "30s");
        s.put("upload-chunk-size", "64KiB");
        s.put("shutdown-grace", "5s");
        s.putAll(extra);
        return AgentConfig.fromSettings(s);
    }

    Agent startAgent() throws IOException {
        return startAgent(Map.of());
    }

    Agent startAgent(Map<String, String> extra) throws IOException {
        Agent agent = Agent.start(config(extra), runner, FAST, InstantSource.system());
        agents.add(agent);
        return agent;
    }

    static CaptureOrder order(String key, boolean run, UploadTarget upload) {
        return new CaptureOrder(key, "/subscriptions/sub1/resourceGroups/lab/providers/Microsoft.Network/networkWatchers/"
                + "NetworkWatcher_westeurope/packetCaptures/" + key, run, 0, 0, 600, List.of(), null, upload, Instant.now(), null);
    }

    CaptureReport awaitReport(String key, String what, java.util.function.Predicate<CaptureReport> p) throws InterruptedException {
        FakeController.await(what, WAIT, () -> controller.reports(key).stream().anyMatch(p));
        return controller.reports(key).stream().filter(p).findFirst().orElseThrow();
    }

    @Test
    void start_whenNotEnrolled_enrollsOnceAndReusesCredentialAfterRestart() throws Exception {
        Agent first = startAgent();
        FakeController.await("host registered", WAIT, () -> !controller.hosts().isEmpty());
        assertEquals(1, controller.enrollCalls());
        Path credential = tmp.resolve("state/credential.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credential)));
        first.close();

        int ordersBefore = controller.orderCalls();
        startAgent(Map.of("enrollment-token", "")); // a restarted agent needs no token any more
        FakeController.await("orders polled after restart", WAIT, () -> controller.orderCalls() > ordersBefore);
        assertEquals(1, controller.enrollCalls());
        assertEquals(List.of(), controller.violations());
        assertFalse(controller.hosts().getFirst().nics().stream().anyMatch(n -> n.name().equals("lo")));
    }

    @Test
    void orders_whenControllerDownThenBack_reconnectsAndStartsTheCapture() throws Exception {
        Agent agent = startAgent();
        FakeController.await("first orders", WAIT, () -> agent.reconciler().appliedGeneration() >= 1);
        controller.stop();
        FakeController.await("agent notices the outage", WAIT, () -> agent.reconciler().lastControllerError() != null);
        controller.putOrder(order("c-back", true, null));
        Thread.sleep(300); // stays down across several backoff rounds
        controller.start();

        CaptureReport running = awaitReport("c-back", "Running reported", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        assertEquals(tmp.resolve("captures/c-back.cap").toString(), running.filePath());
        assertTrue(Files.exists(tmp.resolve("captures/c-back.cap")));
        FakeController.await("error cleared", WAIT, () -> agent.reconciler().lastControllerError() == null);
        assertEquals(List.of(), controller.violations());
    }

    @Test
    void reports_whileControllerDown_areQueuedAndDeliveredInOrderWhenBack() throws Exception {
        Agent agent = startAgent();
        controller.putOrder(order("c-queue", true, null));
        awaitReport("c-queue", "Running reported", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        controller.stop();
        StandInRunner.Session session = runner.only();
        session.tick(5);
        Thread.sleep(500); // counter reports pile up (coalesced) while down
        session.end(netwatcher.agent.capture.EndCause.TIME_LIMIT);
        FakeController.await("final state journaled", WAIT, () -> agent.reconciler().entry("c-queue")
                .map(e -> e.phase() == JournalEntry.Phase.FINAL).orElse(false));
        String outbox = Files.readString(tmp.resolve("state/outbox.json"));
        assertTrue(outbox.contains("TimeExceeded"), outbox);

        int before = controller.reports("c-queue").size();
        controller.start();
        CaptureReport stopped = awaitReport("c-queue", "Stopped delivered", r -> r.stopReason() == netwatcher.model.capture.StopReason.TimeExceeded);
        assertEquals(netwatcher.model.capture.CaptureStatus.Stopped, stopped.status());
        assertEquals(5, stopped.packets());
        List<CaptureReport> delivered = controller.reports("c-queue").subList(before, controller.reports("c-queue").size());
        int lastRunning = -1;
        int firstStopped = -1;
        for (int i = 0; i < delivered.size(); i++) {
            if (delivered.get(i).status() == netwatcher.model.capture.CaptureStatus.Running) lastRunning = i;
            if (delivered.get(i).status() == netwatcher.model.capture.CaptureStatus.Stopped && firstStopped < 0) firstStopped = i;
        }
        assertTrue(lastRunning < firstStopped, "a Running report after Stopped: " + delivered);
        assertTrue(delivered.stream().anyMatch(r -> r.status() == netwatcher.model.capture.CaptureStatus.Running && r.packets() == 5),
                "counters made while down were delivered: " + delivered);
        FakeController.await("outbox drained", WAIT, () -> readOutbox().isEmpty());
    }

    @Test
    void stopOrder_whenCaptureRunning_stopsItAsStoppedByRequest() throws Exception {
        startAgent();
        controller.putOrder(order("c-stop", true, null));
        awaitReport("c-stop", "Running", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        runner.only().tick(3);
        controller.putOrder(order("c-stop", false, null));
        CaptureReport stopped = awaitReport("c-stop", "StoppedByRequest", r -> r.stopReason() == netwatcher.model.capture.StopReason.StoppedByRequest);
        assertEquals(netwatcher.model.capture.CaptureStatus.Stopped, stopped.status());
        assertEquals(List.of(), stopped.errors());
        assertEquals(3, stopped.packets());
        assertNotNull(stopped.endTime());
        assertEquals(netwatcher.model.capture.UploadState.NONE, stopped.uploadState());
    }

    @Test
    void orders_whenCaptureVanishes_stopsAndForgetsIt() throws Exception {
        Agent agent = startAgent();
        controller.putOrder(order("c-gone", true, null));
        awaitReport("c-gone", "Running", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        controller.removeOrder("c-gone");
        FakeController.await("forgotten", WAIT, () -> agent.reconciler().entry("c-gone").isEmpty());
        assertTrue(runner.only().ended);
        assertFalse(Files.exists(tmp.resolve("state/captures/c-gone.json")));
        assertTrue(Files.exists(tmp.resolve("captures/c-gone.cap")), "the file is never deleted");
    }

    @Test
    void order_whenRunFalseAndUnknown_reportsStoppedWithoutCapturing() throws Exception {
        startAgent();
        controller.putOrder(order("c-never", false, null));
        CaptureReport r = awaitReport("c-never", "final", x -> x.status() == netwatcher.model.capture.CaptureStatus.Stopped);
        assertEquals(netwatcher.model.capture.StopReason.StoppedByRequest, r.stopReason());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void order_whenTimeLimitAlreadyPassed_reportsTimeExceededWithoutCapturing() throws Exception {
        startAgent();
        CaptureOrder old = order("c-old", true, null);
        controller.putOrder(new CaptureOrder(old.key(), old.captureId(), true, 0, 0, 10, List.of(), null, null,
                Instant.now().minusSeconds(60), null));
        CaptureReport r = awaitReport("c-old", "final", x -> x.status() == netwatcher.model.capture.CaptureStatus.Stopped);
        assertEquals(netwatcher.model.capture.StopReason.TimeExceeded, r.stopReason());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void order_whenFilterDoesNotCompile_reportsCaptureFailedWithLibpcapMessage() throws Exception {
        startAgent();
        runner.filterOverride = "tcp port (((";
        controller.putOrder(order("c-badfilter", true, null));
        CaptureReport r = awaitReport("c-badfilter", "Error", x -> x.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.CaptureFailed, r.stopReason());
        assertEquals(List.of(netwatcher.model.capture.CaptureError.CaptureFailed), r.errors());
        assertTrue(r.message().contains("syntax error"), r.message());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void order_withFilters_isCompiledOnlyByTheEnginesStart_once() throws Exception {
        startAgent();
        long before = netwatcher.agent.capture.CaptureEngine.filterCompilations();
        CaptureOrder o = order("c-once", true, null);
        controller.putOrder(new CaptureOrder(o.key(), o.captureId(), true, 0, 0, 600,
                List.of(new CaptureOrder.WireFilter("UDP", null, "198.18.0.9", null, "53")), null, null, Instant.now(), null));
        awaitReport("c-once", "Running", x -> x.status() == CaptureStatus.Running);
        assertEquals(1, netwatcher.agent.capture.CaptureEngine.filterCompilations() - before,
                "the pre-flight compiles nothing; the stand-in's start compiles once, as the engine's does");
    }

    @Test
    void order_whenFilterDoesNotCompile_reportNamesThePacketFilterAndLibpcapsWords() throws Exception {
        startAgent();
        runner.filterOverride = "tcp port (((";
        controller.putOrder(order("c-badwords", true, null));
        CaptureReport r = awaitReport("c-badwords", "Error", x -> x.status() == CaptureStatus.Error);
        assertTrue(r.message().startsWith("the packet filter cannot be used: BPF filter 'tcp port (((' does not compile: "),
                r.message());
    }

    @Test
    void order_whenFreeSpaceUnderFloor_reportsDiskSpaceLowNamingFreeSpaceAndFloor() throws Exception {
        startAgent(Map.of("disk-floor", "100%"));
        controller.putOrder(order("c-floor", true, null));
        CaptureReport r = awaitReport("c-floor", "Error", x -> x.status() == CaptureStatus.Error);
        assertTrue(r.message().matches("only [0-9.]+ MiB free on the file system of " + tmp.resolve("captures")
                + ", under the agent's floor of [0-9.]+ MiB; free space and start again"), r.message());
        assertEquals(tmp.resolve("captures/c-floor.cap").toString(), r.filePath());
    }

    @Test
    void order_whenFreeSpaceUnderFloor_reportsDiskSpaceLow() throws Exception {
        startAgent(Map.of("disk-floor", "100%"));
        controller.putOrder(order("c-full", true, null));
        CaptureReport r = awaitReport("c-full", "Error", x -> x.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.DiskSpaceLow, r.stopReason());
        assertEquals(List.of(netwatcher.model.capture.CaptureError.LocalFileFailed), r.errors());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void order_whenFilePathEscapesRoot_reportsLocalFileFailed() throws Exception {
        startAgent();
        CaptureOrder o = order("c-escape", true, null);
        controller.putOrder(new CaptureOrder(o.key(), o.captureId(), true, 0, 0, 600, List.of(), "/etc/passwd", null,
                Instant.now(), null));
        CaptureReport r = awaitReport("c-escape", "Error", x -> x.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.LocalFileFailed, r.stopReason());
        assertTrue(runner.sessions.isEmpty());
    }

    @Test
    void start_whenJournalHoldsACaptureTheAgentDiedWith_reportsAgentLostWithFileCountersAndUploads() throws Exception {
        // First life: enroll, then "die" (kill -9) with a running capture: journal says RUNNING, the
        // pcap file ends in a half-written record.
        Agent first = startAgent();
        first.close();
        Path file = tmp.resolve("captures/c-crash.cap");
        Files.createDirectories(file.getParent());
        byte[] r1 = StandInRunner.record(Instant.parse("2026-11-22T10:00:00Z"), 60);
        byte[] r2 = StandInRunner.record(Instant.parse("2026-11-22T10:00:01Z"), 60);
        byte[] torn = Arrays.copyOf(StandInRunner.record(Instant.parse("2026-11-22T10:00:02Z"), 60), 30);
        Files.write(file, concat(StandInRunner.header(), r1, r2, torn));
        String uploadUrl = controller.url() + "/agent/v1/captures/c-crash/file";
        CaptureOrder o = order("c-crash", true, new UploadTarget("local", uploadUrl, "https://x/storage/c-crash.cap"));
        CaptureReport running = new CaptureReport("c-crash", CaptureStatus.Running, null, List.of(), null, Instant.now(), null,
                1, 100, 0, 0, 1, null, null, file.toString(), UploadState.PENDING, 0, null, null);
        Files.write(tmp.resolve("state/captures/c-crash.json"), AgentJson.MAPPER.writeValueAsBytes(
                new JournalEntry("c-crash", o, file.toString(), JournalEntry.Phase.RUNNING, running, false)));
        controller.putOrder(o);

        startAgent();
        CaptureReport lost = awaitReport("c-crash", "AgentLost", r -> r.stopReason() == netwatcher.model.capture.StopReason.AgentLost);
        assertEquals(netwatcher.model.capture.CaptureStatus.Error, lost.status());
        assertEquals(List.of(netwatcher.model.capture.CaptureError.AgentStopped), lost.errors());
        assertEquals(2, lost.packets());
        assertEquals(24 + 2 * 76, lost.bytes());
        assertEquals(Instant.parse("2026-11-22T10:00:00Z"), lost.firstPacketTime());
        assertEquals(Instant.parse("2026-11-22T10:00:01Z"), lost.lastPacketTime());
        assertEquals(24 + 2 * 76, Files.size(file), "the torn record was cut");

        CaptureReport done = awaitReport("c-crash", "upload done", r -> r.uploadState() == netwatcher.model.capture.UploadState.DONE);
        assertEquals(24 + 2 * 76, done.uploadedBytes());
        assertEquals(netwatcher.model.capture.StopReason.AgentLost, done.stopReason());
        assertArrayEquals(Files.readAllBytes(file), controller.file("c-crash").orElseThrow());
        assertEquals(List.of(), controller.violations());
    }

    @Test
    void localUpload_whenPutInterrupted_resumesFromHeadAndDeliversTheWholeFile() throws Exception {
        startAgent();
        String url = controller.url() + "/agent/v1/captures/c-up/file";
        controller.putOrder(order("c-up", true, new UploadTarget("local", url, "https://x/storage/c-up.cap")));
        awaitReport("c-up", "Running", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        StandInRunner.Session s = runner.only();
        s.tick(5000); // 5000 * 76 bytes ≈ 371 KiB: six 64 KiB chunks
        controller.breakNextPutAfter(100_000);
        s.end(netwatcher.agent.capture.EndCause.BYTE_LIMIT);

        CaptureReport done = awaitReport("c-up", "upload done", r -> r.uploadState() == netwatcher.model.capture.UploadState.DONE);
        byte[] local = Files.readAllBytes(s.spec.output());
        assertEquals(local.length, done.uploadedBytes());
        assertEquals(netwatcher.model.capture.StopReason.SizeExceeded, done.stopReason());
        assertArrayEquals(local, controller.file("c-up").orElseThrow());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(local)), done.fileSha256());
        assertTrue(controller.reports("c-up").stream().anyMatch(r -> r.uploadState() == netwatcher.model.capture.UploadState.UPLOADING));
        assertTrue(Files.exists(s.spec.output()), "the local file is kept");
        assertEquals(List.of(), controller.violations());
    }

    @Test
    void shutdown_whenCaptureRunning_endsItAsAgentShutdownAndJournalsIt() throws Exception {
        Agent agent = startAgent();
        controller.putOrder(order("c-shut", true, null));
        awaitReport("c-shut", "Running", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        agent.close();
        CaptureReport r = awaitReport("c-shut", "AgentShutdown", x -> x.stopReason() == netwatcher.model.capture.StopReason.AgentShutdown);
        assertEquals(netwatcher.model.capture.CaptureStatus.Stopped, r.status());
        assertEquals(List.of(netwatcher.model.capture.CaptureError.AgentStopped), r.errors());
        JournalEntry e = AgentJson.MAPPER.readValue(tmp.resolve("state/captures/c-shut.json").toFile(), JournalEntry.class);
        assertEquals(JournalEntry.Phase.FINAL, e.phase());
    }

    private List<?> readOutbox() {
        try {
            return AgentJson.MAPPER.readValue(tmp.resolve("state/outbox.json").toFile(), List.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
