package netwatcher.agent;

import netwatcher.agent.control.AgentJson;
import netwatcher.agent.control.CaptureRunner;
import netwatcher.agent.control.JournalEntry;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.UploadTarget;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk under the agent's state and captures directories (a small tmpfs, as root) never
 * kills an agent thread: journal writes fail softly, reports and the upload still get through, and
 * the journal catches up when space returns, without a restart. Real daemon classes (Reconciler,
 * Journal, DurableFiles, UploadService); the capture engine is the stand-in.
 */
@Tag("external")
class AgentFullDiskTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final Set<String> THREADS = Set.of("nw-agent-orders", "nw-agent-reports", "nw-agent-host", "nw-agent-capture-events");

    @TempDir Path tmp;
    Path disk;
    boolean mounted;
    FakeController controller;
    final StandInRunner runner = new StandInRunner();
    final List<Agent> agents = new ArrayList<>();

    @BeforeEach
    void mountSmallDisk() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        disk = Files.createDirectory(tmp.resolve("disk"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "nw-status-full", disk.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor() == 0, "mount -t tmpfs failed: " + out);
        mounted = true;
        controller = new FakeController().start();
    }

    @AfterEach
    void unmount() throws Exception {
        agents.forEach(Agent::close);
        if (controller != null) controller.stop();
        if (mounted) {
            Process p = new ProcessBuilder("umount", disk.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) new ProcessBuilder("umount", "-l", disk.toString()).start().waitFor();
        }
    }

    Agent startAgent() throws IOException {
        Map<String, String> s = controller.agentSettings(disk);
        s.put("report-interval", "200ms");
        s.put("host-poll-interval", "300ms");
        s.put("upload-retry-limit", "60s");
        s.put("upload-chunk-size", "64KiB");
        s.put("shutdown-grace", "5s");
        Agent agent = Agent.start(AgentConfig.fromSettings(s), runner, AgentDaemonTest.FAST, InstantSource.system());
        agents.add(agent);
        return agent;
    }

    CaptureReport awaitReport(String key, String what, java.util.function.Predicate<CaptureReport> p) throws InterruptedException {
        FakeController.await(what, WAIT, () -> controller.reports(key).stream().anyMatch(p));
        return controller.reports(key).stream().filter(p).findFirst().orElseThrow();
    }

    /** Writes a filler file until the file system refuses (ENOSPC). */
    private Path fill() throws IOException {
        Path filler = disk.resolve("filler");
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (IOException expected) {
            // full
        }
        // a few more small files take the last partial pages
        for (int i = 0; i < 64; i++) {
            try {
                Files.write(disk.resolve("filler-" + i), new byte[512]);
            } catch (IOException full) {
                break;
            }
        }
        assertTrue(Files.getFileStore(disk).getUsableSpace() < 4096, "the tmpfs is full");
        return filler;
    }

    private void free() throws IOException {
        try (Stream<Path> files = Files.list(disk)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("filler")).toList()) Files.delete(f);
        }
    }

    private static void assertAgentThreadsAlive() {
        Set<String> alive = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(THREADS::contains).collect(Collectors.toSet());
        assertEquals(THREADS, alive, "every agent thread is alive");
    }

    private Optional<JournalEntry> journaled(String key) {
        Path f = disk.resolve("state/captures/" + key + ".json");
        try {
            return Files.exists(f) ? Optional.of(AgentJson.MAPPER.readValue(f.toFile(), JournalEntry.class)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Test
    void fullDisk_neverKillsAThread_deliversReportAndUpload_andTheJournalCatchesUpWhenSpaceReturns() throws Exception {
        Agent agent = startAgent();
        FakeController.await("host registered", WAIT, () -> !controller.hosts().isEmpty());
        String url = controller.url() + "/agent/v1/captures/c-full/file";
        controller.putOrder(AgentDaemonTest.order("c-full", true, new UploadTarget("local", url, "https://x/storage/c-full.cap")));
        awaitReport("c-full", "Running", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        StandInRunner.Session s = runner.only();
        s.tick(2000);
        FakeController.await("running journaled", WAIT, () -> journaled("c-full").map(e -> e.phase() == JournalEntry.Phase.RUNNING).orElse(false));

        fill();
        s.end(netwatcher.agent.capture.EndCause.TIME_LIMIT);

        // the end is reported and the file uploaded although nothing can be journaled
        CaptureReport done = awaitReport("c-full", "upload done while the disk is full", r -> r.uploadState() == netwatcher.model.capture.UploadState.DONE);
        assertEquals(netwatcher.model.capture.StopReason.TimeExceeded, done.stopReason());
        byte[] local = Files.readAllBytes(s.spec.output());
        assertArrayEquals(local, controller.file("c-full").orElseThrow());
        assertAgentThreadsAlive();
        assertEquals(JournalEntry.Phase.RUNNING, journaled("c-full").orElseThrow().phase(),
                "the final state could not be written while the disk was full (the test really filled it)");

        // a new capture while full is refused with a report, not lost and not stuck
        controller.putOrder(AgentDaemonTest.order("c-refused", true, null));
        CaptureReport refused = awaitReport("c-refused", "refused while full", r -> r.status() == netwatcher.model.capture.CaptureStatus.Error);
        assertEquals(netwatcher.model.capture.StopReason.LocalFileFailed, refused.stopReason());
        assertAgentThreadsAlive();

        free();
        FakeController.await("journal caught up after space returned", WAIT, () -> journaled("c-full")
                .map(e -> e.phase() == JournalEntry.Phase.FINAL && e.report().uploadState() == netwatcher.model.capture.UploadState.DONE).orElse(false));
        FakeController.await("refused capture journaled", WAIT, () -> journaled("c-refused").isPresent());
        try (Stream<Path> state = Files.list(disk.resolve("state"))) {
            assertEquals(List.of(), state.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList(),
                    "no torn temp files are left behind");
        }

        // and new work runs normally, without a restart
        int before = runner.sessions.size();
        controller.putOrder(AgentDaemonTest.order("c-after", true, null));
        awaitReport("c-after", "Running after space returned", r -> r.status() == netwatcher.model.capture.CaptureStatus.Running);
        assertNotEquals(before, runner.sessions.size());
        FakeController.await("c-after journaled", WAIT, () -> journaled("c-after").isPresent());
        assertAgentThreadsAlive();
        assertEquals(List.of(), controller.violations());
        assertTrue(agent.reconciler().appliedGeneration() >= 1);
    }
}
