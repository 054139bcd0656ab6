package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class ProgressTest {
    static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
    static final InstantSource CLOCK = InstantSource.fixed(START.plusSeconds(15));

    static Progress.Snapshot running(long packets) {
        return new Progress.Snapshot("pc1", "Running", packets, packets * 100, 10_000L, 3L, 0L, START, 60L, null, "none");
    }

    @Test
    void terminal_redrawsPanelInPlace() {
        StringWriter w = new StringWriter();
        Progress p = new Progress(new PrintWriter(w), true, CLOCK);
        p.update(running(10));
        String first = w.toString();
        assertFalse(first.contains("\033[3A"), "the first draw does not move up");
        assertTrue(first.contains("packets 10   bytes 1000 B / 9.8 KiB  [##..................] 10.0%"), first);
        assertTrue(first.contains("drops kernel 3 interface 0   time left 0:45"), first);
        p.update(running(20));
        String second = w.toString().substring(first.length());
        assertTrue(second.startsWith("\033[3A\r\033[2K"), second);
        assertTrue(second.contains("packets 20 "), second);
    }

    @Test
    void plain_printsOneLinePerChangeWithoutEscapes() {
        StringWriter w = new StringWriter();
        Progress p = new Progress(new PrintWriter(w), false, CLOCK);
        p.update(running(10));
        p.update(running(10));
        p.update(new Progress.Snapshot("pc1", "Stopped", 12L, 1200L, 10_000L, 3L, 0L, START, 60L, "StoppedByRequest", "done"));
        assertEquals("""
                pc1 Running packets=10 bytes=1000/10000 drops=3/0 left=0:45 upload=none
                pc1 Stopped StoppedByRequest packets=12 bytes=1200/10000 drops=3/0 left=0:00 upload=done
                """, w.toString());
    }

    @Test
    void snapshot_finishedOnlyWhenEndedAndUploadSettled() {
        assertFalse(running(1).finished());
        assertFalse(new Progress.Snapshot("pc1", "Stopped", 1L, 1L, null, null, null, null, null, "TimeExceeded", "uploading").finished());
        assertTrue(new Progress.Snapshot("pc1", "Error", 1L, 1L, null, null, null, null, null, "CaptureFailed", null).finished());
    }
}
