package netwatcher.agent.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import netwatcher.agent.capture.PcapFiles;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.capture.RingOptions;
import netwatcher.agent.upload.UploadService;
import netwatcher.agent.upload.Uploader;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots of a ring laid out on disk as the engine names its files: the window's records, from closed and open files. */
class RingSnapshotterTest {
    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
    @TempDir Path dir;

    /** A pcap of {@code count} records one second apart from second {@code start} (after T0), each 4 bytes holding its second. */
    private static byte[] pcap(int start, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        out.writeBytes(h.array());
        for (int i = start; i < start + count; i++) {
            ByteBuffer r = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) T0.plusSeconds(i).getEpochSecond()).putInt(250_000_000).putInt(4).putInt(4).putInt(i);
            out.writeBytes(r.array());
        }
        return out.toByteArray();
    }

    /** Ring file {@code index} holding seconds [10 (index - 1), 10 index), closed (told to the keeper) or not. */
    private RingFile ringFile(RingKeeper keeper, Path capture, int index, boolean closed) throws Exception {
        Instant opened = T0.plusSeconds(10L * (index - 1));
        Path p = capture.resolveSibling(RingFile.name(capture, index, opened));
        Files.write(p, pcap(10 * (index - 1), 10));
        RingFile f = new RingFile(index, p, opened, opened.plusSeconds(10), Files.size(p), 10,
                opened.plusMillis(250), opened.plusSeconds(9).plusMillis(250));
        if (closed) keeper.fileClosed(f);
        return f;
    }

    private static List<Integer> seconds(Path pcap) throws Exception {
        byte[] b = Files.readAllBytes(pcap);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> out = new java.util.ArrayList<>();
        for (int at = 24; at + 20 <= b.length; at += 20) out.add(buf.getInt(at + 16));
        return out;
    }

    @Test
    void take_readsTheClosedFilesAndTheOneBeingWritten_keepingOnlyTheWindow() throws Exception {
        Path capture = dir.resolve("pc1.cap");
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(10, 4096, true), null, null, () -> {});
        ringFile(keeper, capture, 1, true);
        ringFile(keeper, capture, 2, true);
        ringFile(keeper, capture, 3, false); // being written: the keeper has not heard of it yet
        Files.write(dir.resolve(RingFile.name(dir.resolve("pc10.cap"), 1, T0)), pcap(15, 5)); // another capture's file
        List<RingSnapshotter.Result> reports = new CopyOnWriteArrayList<>();

        RingSnapshotter.Result r = new RingSnapshotter(null, 0)
                .take(keeper, capture, new RingSnapshotter.Request("s1", T0.plusSeconds(15), T0.plusSeconds(25)), reports::add)
                .get(30, TimeUnit.SECONDS);

        assertEquals(UploadState.NONE, r.state(), String.valueOf(r.error()));
        assertEquals(dir.resolve("snapshots/s1.cap"), r.hostPath());
        assertEquals(List.of(15, 16, 17, 18, 19, 20, 21, 22, 23, 24), seconds(r.hostPath()));
        assertEquals(10, r.packets());
        assertEquals(T0.plusSeconds(15).plusMillis(250), r.firstPacket());
        assertEquals(T0.plusSeconds(24).plusMillis(250), r.lastPacket());
        assertEquals(10, PcapFiles.summarize(r.hostPath()).packets());
        assertNull(r.storagePath());
        assertEquals(List.of(r), reports);
    }

    @Test
    void sources_skipClosedFilesOutsideTheWindowUnread() throws Exception {
        Path capture = dir.resolve("pc1.cap");
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(10, 4096, true), null, null, () -> {});
        ringFile(keeper, capture, 1, true);
        RingFile second = ringFile(keeper, capture, 2, true);
        RingFile open = ringFile(keeper, capture, 3, false);
        assertEquals(List.of(second.path(), open.path()),
                RingSnapshotter.sources(keeper, capture, T0.plusSeconds(12), T0.plusSeconds(13)));
    }

    @Test
    void take_uploadsToTheRingsSnapshotsFolderAndRemovesTheHostCopy() throws Exception {
        Map<String, String> sentTo = new ConcurrentHashMap<>();
        Map<String, List<Integer>> sent = new ConcurrentHashMap<>();
        Uploader uploader = (file, target, progress, digest) -> {
            sentTo.put(file.getFileName().toString(), target.url());
            try {
                sent.put(file.getFileName().toString(), seconds(file));
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
            progress.accept(Files.size(file));
        };
        UploadTarget base = new UploadTarget(UploadTarget.BLOB, "https://acct.example/nw/vm/pc1?sig=x", "https://acct.example/nw/vm/pc1");
        try (UploadService uploads = new UploadService(Map.of("blob", uploader), Duration.ofSeconds(30), Duration.ofMillis(10),
                Duration.ofMillis(100), InstantSource.system())) {
            Path capture = dir.resolve("pc1.cap");
            RingKeeper keeper = new RingKeeper("c-1", new RingOptions(10, 4096, true), base, uploads, () -> {});
            ringFile(keeper, capture, 1, false);
            List<RingSnapshotter.Result> reports = new CopyOnWriteArrayList<>();

            RingSnapshotter.Result r = new RingSnapshotter(uploads, 0)
                    .take(keeper, capture, new RingSnapshotter.Request("s2", T0, T0.plusSeconds(3)), reports::add)
                    .get(30, TimeUnit.SECONDS);

            assertEquals(UploadState.DONE, r.state(), String.valueOf(r.error()));
            assertEquals("https://acct.example/nw/vm/pc1/snapshots/s2.cap?sig=x", sentTo.get("s2.cap"));
            assertEquals("https://acct.example/nw/vm/pc1/snapshots/s2.cap", r.storagePath());
            assertEquals(List.of(0, 1, 2), sent.get("s2.cap"));
            assertEquals(3, r.packets());
            assertFalse(Files.exists(dir.resolve("snapshots/s2.cap")), "the uploaded snapshot leaves the host");
            assertEquals(List.of(UploadState.UPLOADING, UploadState.DONE), reports.stream().map(RingSnapshotter.Result::state).toList());
        }
    }

    @Test
    void take_whenTheSnapshotWouldCrossTheDiskFloor_refusesWritingNothing() throws Exception {
        Path capture = dir.resolve("pc1.cap");
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(10, 4096, true), null, null, () -> {});
        ringFile(keeper, capture, 1, false);
        RingSnapshotter.Result r = new RingSnapshotter(null, Long.MAX_VALUE / 2)
                .take(keeper, capture, new RingSnapshotter.Request("s3", T0, T0.plusSeconds(3)), x -> {})
                .get(30, TimeUnit.SECONDS);
        assertEquals(UploadState.FAILED, r.state());
        assertTrue(r.error().startsWith("DiskSpaceLow"), r.error());
        assertFalse(Files.exists(dir.resolve("snapshots/s3.cap")));
    }
}
