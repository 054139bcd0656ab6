package netwatcher.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import netwatcher.agent.ring.RingSnapshotter;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Test;

/** What the agent reports of a snapshot: the window against what the files cover, and each outcome's cause. */
class SnapshotsTest {
    static final Instant T = Instant.parse("2026-12-03T12:00:00Z");
    static final SnapshotOrder ORDER = new SnapshotOrder("s-1", "c-1", T.plusSeconds(10), T.plusSeconds(20), null);

    @Test
    void outside_namesTheSpanTheFilesCover_onlyWhenTheWindowMissesIt() {
        assertNull(Snapshots.outside(ORDER, T, T.plusSeconds(15)), "overlaps at the start");
        assertNull(Snapshots.outside(ORDER, T.plusSeconds(15), T.plusSeconds(60)), "overlaps at the end");
        assertNull(Snapshots.outside(ORDER, T.plusSeconds(20), T.plusSeconds(60)), "both ends included");
        String before = Snapshots.outside(ORDER, T.plusSeconds(21), T.plusSeconds(60));
        assertTrue(before.contains("ends before the oldest packet") && before.contains(T.plusSeconds(21).toString()), before);
        String after = Snapshots.outside(ORDER, T, T.plusSeconds(9));
        assertTrue(after.contains("starts after the newest packet") && after.contains(T.plusSeconds(9).toString()), after);
        assertTrue(Snapshots.outside(ORDER, null, null).contains("no packet yet"));
    }

    @Test
    void report_mapsEachOutcomeToItsCause() {
        var stored = Snapshots.report(ORDER, new RingSnapshotter.Result("s-1", UploadState.DONE, null, "https://x/snapshots/s-1.cap", 5,
                500, T.plusSeconds(11), T.plusSeconds(19), null));
        assertEquals(SnapshotReport.State.Succeeded, stored.state());
        assertEquals("https://x/snapshots/s-1.cap", stored.storagePath());
        assertEquals(5, stored.packets());
        var onHost = Snapshots.report(ORDER, new RingSnapshotter.Result("s-1", UploadState.NONE, Path.of("/var/captures/snapshots/s-1.cap"),
                null, 0, 24, null, null, null));
        assertEquals("/var/captures/snapshots/s-1.cap", onHost.storagePath(), "kept on the host: its path");
        var disk = Snapshots.report(ORDER, new RingSnapshotter.Result("s-1", UploadState.FAILED, null, null, 0, 0, null, null,
                "DiskSpaceLow: the snapshot may take 10 bytes"));
        assertEquals("DiskSpaceLow", disk.errorCode());
        assertEquals("the snapshot may take 10 bytes", disk.message());
        var upload = Snapshots.report(ORDER, new RingSnapshotter.Result("s-1", UploadState.FAILED, Path.of("/x.cap"), "https://x/s-1.cap",
                3, 300, null, null, "HTTP 403"));
        assertEquals("UploadFailed", upload.errorCode());
        var read = Snapshots.report(ORDER, new RingSnapshotter.Result("s-1", UploadState.FAILED, null, null, 0, 0, null, null, "EIO"));
        assertEquals("SnapshotFailed", read.errorCode());
    }
}
