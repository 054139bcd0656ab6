package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The snapshot verb's progress: redrawn in place on a terminal, one plain line per status change elsewhere. */
class SnapshotProgressTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void terminal_redrawsOneLineWithTheWait_andClearsItAtTheEnd() throws Exception {
        StringWriter out = new StringWriter();
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T12:00:00Z"));
        InstantSource clock = now::get;
        var p = new PacketCaptureCommand.SnapshotProgress(new PrintWriter(out), true, "ring1", clock);
        now.set(now.get().plusMillis(1200));
        p.update(JSON.readTree("{\"status\":\"InProgress\"}"));
        p.finish();
        assertEquals("\r\u001b[Ksnapshot of ring1: InProgress (1.2 s)\r\u001b[K", out.toString());
    }

    @Test
    void notATerminal_printsPlainLinesOnlyWhenTheStatusChanges() throws Exception {
        StringWriter out = new StringWriter();
        var p = new PacketCaptureCommand.SnapshotProgress(new PrintWriter(out), false, "ring1", InstantSource.system());
        p.update(JSON.readTree("{\"status\":\"InProgress\"}"));
        p.update(JSON.readTree("{\"status\":\"InProgress\"}"));
        p.update(JSON.readTree("{\"status\":\"Succeeded\"}"));
        p.finish();
        String text = out.toString();
        assertEquals("snapshot of ring1: InProgress" + System.lineSeparator() + "snapshot of ring1: Succeeded" + System.lineSeparator(), text);
        assertFalse(text.contains("\u001b"), "no escape codes");
        assertTrue(PacketCaptureCommand.Snapshot.seconds("90") == 90 && PacketCaptureCommand.Snapshot.seconds("5m") == 300
                && PacketCaptureCommand.Snapshot.seconds("2h") == 7200 && PacketCaptureCommand.Snapshot.seconds("30s") == 30);
    }
}
