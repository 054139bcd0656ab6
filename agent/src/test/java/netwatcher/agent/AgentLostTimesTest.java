package netwatcher.agent;

import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.agent.control.AgentJson;
import netwatcher.agent.control.JournalEntry;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** An {@code AgentLost} report never ends before it started, even when the idle file's mtime predates arming. */
@Tag("e2e")
class AgentLostTimesTest {
    @TempDir Path tmp;
    FakeController controller;
    Agent agent;

    @BeforeEach
    void start() throws Exception {
        controller = new FakeController().start();
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
        return Agent.start(AgentConfig.fromSettings(s), new StandInRunner(), AgentDaemonTest.FAST, InstantSource.system());
    }

    @Test
    void agentLost_whenFileIsOlderThanTheStart_endsAtTheStart() throws Exception {
        Agent first = startAgent();
        first.close();
        Path file = tmp.resolve("captures/c-idle.cap");
        Files.createDirectories(file.getParent());
        Files.write(file, StandInRunner.header()); // created, then libpcap armed: no packet ever written
        Instant started = Instant.now().minusSeconds(30);
        Files.setLastModifiedTime(file, FileTime.from(started.minusSeconds(5)));
        CaptureOrder o = AgentDaemonTest.order("c-idle", true, null);
        CaptureReport running = new CaptureReport("c-idle", CaptureStatus.Running, null, List.of(), null, started, null,
                0, 24, 0, 0, 0, null, null, file.toString(), UploadState.NONE, 0, null, null);
        Files.write(tmp.resolve("state/captures/c-idle.json"), AgentJson.MAPPER.writeValueAsBytes(
                new JournalEntry("c-idle", o, file.toString(), JournalEntry.Phase.RUNNING, running, false)));
        controller.putOrder(o);

        agent = startAgent();
        FakeController.await("AgentLost", Duration.ofSeconds(20),
                () -> controller.reports("c-idle").stream().anyMatch(r -> r.stopReason() == netwatcher.model.capture.StopReason.AgentLost));
        CaptureReport lost = controller.reports("c-idle").stream().filter(r -> r.stopReason() == netwatcher.model.capture.StopReason.AgentLost).findFirst().orElseThrow();
        assertEquals(started, lost.startTime());
        assertFalse(lost.endTime().isBefore(lost.startTime()), lost.startTime() + " .. " + lost.endTime());
        assertEquals(started, lost.endTime(), "an idle file ends where the capture started");
    }
}
