package netwatcher.agent.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.capture.RingOptions;
import netwatcher.agent.upload.UploadService;
import netwatcher.agent.upload.Uploader;
import netwatcher.model.agent.RingFileReport;
import netwatcher.model.agent.RingReport;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ring's keeping rules on real files, with an uploader whose uploads the test releases one by one. */
class RingKeeperTest {
    @TempDir Path dir;

    /** An uploader that holds each upload until the test releases its file, recording where it went. */
    static final class GatedUploader implements Uploader {
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        final Map<String, String> sentTo = new ConcurrentHashMap<>();

        CountDownLatch gate(String name) { return gates.computeIfAbsent(name, n -> new CountDownLatch(1)); }

        @Override
        public void upload(Path file, UploadTarget target, java.util.function.LongConsumer progress,
                           netwatcher.agent.upload.FileDigest digest) throws InterruptedException, java.io.IOException {
            gate(file.getFileName().toString()).await();
            sentTo.put(file.getFileName().toString(), target.url());
            progress.accept(Files.size(file));
        }
    }

    private RingFile file(long index) throws Exception {
        Instant t = Instant.parse("2026-12-03T12:00:00Z").plusSeconds(index);
        Path p = dir.resolve(RingFile.name(dir.resolve("pc1.cap"), index, t));
        Files.write(p, new byte[100]);
        return new RingFile(index, p, t, t.plusMillis(900), 100, 3, t, t.plusMillis(800));
    }

    private static boolean waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(10);
        return done.getAsBoolean();
    }

    @Test
    void withoutUpload_theRingKeepsTheNewestFilesOnly() throws Exception {
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(3, 4096, true), null, null, () -> {});
        for (int i = 1; i <= 5; i++) keeper.fileClosed(file(i));
        // the open sixth file is the ring's third place: two closed files stay
        try (var s = Files.list(dir)) {
            assertEquals(List.of(4L, 5L), s.map(p -> RingFile.indexOf(p.getFileName().toString())).sorted().toList());
        }
        RingReport r = keeper.report();
        assertEquals(5, r.filesWritten());
        assertEquals(0, r.filesLost());
        assertEquals(List.of(false, false, false, true, true), r.files().stream().map(RingFileReport::onHost).toList());
        assertEquals(UploadState.NONE, keeper.uploadState(true));
        assertEquals(Instant.parse("2026-12-03T12:00:04Z"), r.coveredFrom(), "the files on the host cover from the 4th on");
    }

    @Test
    void notContinuous_keepsEveryFile() throws Exception {
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(3, 4096, false), null, null, () -> {});
        for (int i = 1; i <= 3; i++) keeper.fileClosed(file(i));
        try (var s = Files.list(dir)) {
            assertEquals(3, s.count());
        }
    }

    @Test
    void upload_eachFileToItsOwnTarget_removedOnlyAfterItsUpload_thenLostWhenUploadsFallBehind() throws Exception {
        GatedUploader uploader = new GatedUploader();
        try (UploadService uploads = new UploadService(Map.of("blob", uploader), Duration.ofSeconds(30), Duration.ofMillis(10),
                Duration.ofMillis(100), InstantSource.system())) {
            UploadTarget base = new UploadTarget("blob", "https://acct/network-watcher-logs/pc1?sv=x&sig=y", "https://acct/network-watcher-logs/pc1");
            RingKeeper keeper = new RingKeeper("c-1", new RingOptions(2, 4096, true), base, uploads, () -> {});
            RingFile f1 = file(1);
            keeper.fileClosed(f1);
            uploader.gate(f1.name()).countDown();
            assertTrue(waitFor(() -> keeper.report().files().getFirst().uploadState() == UploadState.DONE));
            assertEquals("https://acct/network-watcher-logs/pc1/" + f1.name() + "?sv=x&sig=y", uploader.sentTo.get(f1.name()));
            assertTrue(Files.exists(f1.path()), "fileCount 2: the open file and one closed one, 1");

            RingFile f2 = file(2), f3 = file(3), f4 = file(4);
            keeper.fileClosed(f2);
            assertFalse(Files.exists(f1.path()), "1 was uploaded and is beyond the ring now: removed");
            keeper.fileClosed(f3); // 2's upload still runs: kept, one file beyond the ring
            assertTrue(Files.exists(f2.path()));
            assertEquals(UploadState.UPLOADING, keeper.uploadState(false));
            keeper.fileClosed(f4); // two beyond: the oldest not uploaded goes, reported lost
            assertFalse(Files.exists(f2.path()));
            RingReport r = keeper.report();
            assertEquals(1, r.filesLost());
            RingFileReport lost = r.files().get(1);
            assertTrue(lost.lost() && !lost.onHost() && lost.uploadState() == UploadState.FAILED, lost.toString());

            uploader.gate(f3.name()).countDown();
            // 3 first: were 4 done first, the ring (by design) would drop 4 and keep 3 while 3's upload runs
            assertTrue(waitFor(() -> keeper.report().files().stream().anyMatch(f -> f.index() == 3 && f.uploadState() == UploadState.DONE)));
            uploader.gate(f4.name()).countDown();
            assertTrue(waitFor(() -> keeper.uploadState(true) == UploadState.DONE));
            assertFalse(Files.exists(f3.path()), "uploaded and beyond the ring: removed");
            assertTrue(Files.exists(f4.path()), "the newest closed file stays");
        }
    }

    private static RingFileReport listed(RingFile f, UploadState upload) {
        return new RingFileReport(f.name(), f.index(), f.bytes(), f.packets(), f.firstPacket(), f.lastPacket(), false, upload, true, false);
    }

    @Test
    void resume_holdsTheRingCountingTheFilesFromBeforeTheRestart_andGoesOnWithTheNextIndex() throws Exception {
        RingFile f2 = file(2), f3 = file(3), f4 = file(4);
        RingState before = new RingState("c-1", 3, 4, 0, 5 * 3 + 6, 500, List.of(listed(f2, UploadState.NONE), listed(f3, UploadState.NONE)),
                List.of());
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(2, 4096, true), null, null, () -> {});
        keeper.resume(before, dir, List.of(f4)); // 4 was being written when the agent stopped
        try (var s = Files.list(dir)) {
            assertEquals(List.of(4L), s.map(p -> RingFile.indexOf(p.getFileName().toString())).sorted().toList(),
                    "fileCount 2: the new open file and the newest closed one");
        }
        assertEquals(5, keeper.nextIndex());
        assertEquals(5 * 3 + 6 + 3, keeper.closedPackets());
        RingState after = keeper.state();
        assertEquals(4, after.lastClosedIndex());
        assertEquals(List.of(4L), after.files().stream().map(RingFileReport::index).toList());
    }

    @Test
    void resume_uploadsWhatHadNotBeenUploaded_andReportsAFileGoneFromTheHostLost() throws Exception {
        GatedUploader uploader = new GatedUploader();
        try (UploadService uploads = new UploadService(Map.of("blob", uploader), Duration.ofSeconds(30), Duration.ofMillis(10),
                Duration.ofMillis(100), InstantSource.system())) {
            UploadTarget base = new UploadTarget("blob", "https://acct/network-watcher-logs/pc1?sv=x&sig=y", "https://acct/network-watcher-logs/pc1");
            RingFile f1 = file(1), f2 = file(2), f3 = file(3);
            Files.delete(f1.path()); // removed by hand while the agent was down
            RingState before = new RingState("c-1", 2, 3, 0, 6, 200, List.of(listed(f1, UploadState.UPLOADING),
                    listed(f2, UploadState.UPLOADING)), List.of(new netwatcher.model.agent.CaptureGap(f1.lastPacket(), f2.openedAt(), null)));
            RingKeeper keeper = new RingKeeper("c-1", new RingOptions(10, 4096, true), base, uploads, () -> {});
            keeper.resume(before, dir, List.of(f3));
            uploader.gate(f2.name()).countDown();
            uploader.gate(f3.name()).countDown();
            assertTrue(waitFor(() -> keeper.uploadState(true) == UploadState.DONE));
            assertEquals("https://acct/network-watcher-logs/pc1/" + f2.name() + "?sv=x&sig=y", uploader.sentTo.get(f2.name()));
            RingReport r = keeper.report();
            assertEquals(1, r.filesLost());
            assertTrue(r.files().getFirst().lost(), r.toString());
            assertEquals(1, r.gaps().size(), "the gaps of earlier restarts are kept");
        }
    }

    @Test
    void writing_aStaleViewOfAFileClosedMeanwhile_isNotListedAsOpenAgain() throws Exception {
        RingKeeper keeper = new RingKeeper("c-1", new RingOptions(3, 4096, false), null, null, () -> {});
        RingFile f1 = file(1);
        RingFile stale = new RingFile(1, f1.path(), f1.openedAt(), null, 90, 2, f1.firstPacket(), null);
        keeper.fileClosed(f1);
        keeper.writing(stale); // the counters thread read the session's view just before the rollover
        List<RingFileReport> listed = keeper.report().files();
        assertEquals(1, listed.size(), listed.toString());
        assertFalse(listed.getFirst().open(), listed.toString());
    }
}
