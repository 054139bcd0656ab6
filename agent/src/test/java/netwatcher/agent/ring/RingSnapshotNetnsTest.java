package netwatcher.agent.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.models.BlobItem;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureSession;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.capture.RingOptions;
import netwatcher.model.capture.UploadState;
import netwatcher.testing.netns.Processes;
import netwatcher.testing.netns.VethPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of a real, running ring capture (libpcap in a namespace, numbered datagrams sent over several seconds,
 * files uploaded to a real Azurite as they close): the snapshot stored under the ring's {@code snapshots/} holds
 * exactly the datagrams whose capture times (as every stored ring file gives them, read by tshark) fall in the
 * window, and the capture keeps running and rolling over afterwards.
 */
@Tag("netns")
class RingSnapshotNetnsTest {
    private static final int PORT = RingBlobs.PORT;
    private static final int FILE_SIZE = 16_384;
    private static final String DIR = "subscriptions/s/pc1";

    @RegisterExtension static final VethPair net = new VethPair();

    @TempDir Path tmp;
    @RegisterExtension final RingBlobs blobs = new RingBlobs();

    @BeforeEach
    void libpcap() {
        assertTrue(CaptureEngine.unavailableReason().isEmpty());
    }

    private void send(int from, int to) {
        RingBlobs.send(net, from, to);
    }

    /** Datagram number → capture time (epoch seconds as tshark prints them) in a stored pcap. */
    private Map<Integer, BigDecimal> times(String blob) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        blobs.container().getBlobClient(blob).downloadStream(out);
        Path f = Files.createTempFile(tmp, "blob", ".pcap");
        Files.write(f, out.toByteArray());
        Map<Integer, BigDecimal> m = new TreeMap<>();
        String text = Processes.run(Duration.ofSeconds(60), List.of("tshark", "-n", "-d", "udp.port==" + RingBlobs.PORT + ",data", "-r", f.toString(), "-T", "fields",
                "-e", "frame.time_epoch", "-e", "data.data")).orThrow("tshark").stdout();
        for (String line : text.lines().toList()) {
            String[] cols = line.strip().split("\t");
            String payload = new String(HexFormat.of().parseHex(cols[1].strip()));
            int seq = Integer.parseInt(payload.split("-")[1]);
            assertEquals(null, m.put(seq, new BigDecimal(cols[0])), "datagram " + seq + " twice in " + blob);
        }
        return m;
    }

    private static BigDecimal epoch(Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9));
    }

    @Test
    void snapshot_ofARunningRing_holdsExactlyTheWindowsDatagrams_andTheRingKeepsRolling() throws Exception {
        Path dir = tmp.resolve("captures");
        Files.createDirectories(dir);
        RingOptions ring = new RingOptions(4, FILE_SIZE, true);
        RingKeeper keeper = new RingKeeper("c-test", ring, blobs.base(DIR), blobs.uploads(), () -> {});
        Path capturePath = dir.resolve("pc1.cap");
        CaptureOptions options = CaptureOptions.of(capturePath).withInterfaces(List.of(net.right().interfaceName()))
                .withBpfFilter("udp dst port " + PORT).withRing(ring);
        CaptureSession session = net.right().call(() -> CaptureSession.start(options,
                new CaptureSession.Listeners(r -> {}, keeper::fileClosed), InstantSource.system()));
        // numbered datagrams over ~5 s, 20 every 250 ms: some 10 files, the oldest leaving the host
        int seq = 0;
        for (int batch = 0; batch < 20; batch++) {
            send(seq + 1, seq + 20);
            seq += 20;
            Thread.sleep(250);
        }
        Thread.sleep(500); // quiet: the newest datagrams are flushed into the file being written
        Instant now = Instant.now();
        RingSnapshotter.Request request = new RingSnapshotter.Request("s1", now.minusSeconds(2), now);
        RingSnapshotter.Result result = new RingSnapshotter(blobs.uploads(), 0).take(keeper, capturePath, request, r -> {})
                .get(30, TimeUnit.SECONDS);
        assertEquals(UploadState.DONE, result.state(), String.valueOf(result.error()));
        assertEquals(blobs.base(DIR).storagePath() + "/snapshots/s1.cap", result.storagePath());
        assertFalse(session.result().isDone(), "the snapshot leaves the capture running");

        long filesBefore = keeper.report().filesWritten();
        for (int batch = 0; batch < 8; batch++) { // the ring keeps rolling after the snapshot
            send(seq + 1, seq + 20);
            seq += 20;
            Thread.sleep(250);
        }
        session.stop(EndCause.STOP_REQUESTED);
        session.awaitEnd(Duration.ofSeconds(30)).orElseThrow();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (keeper.uploadState(true) != UploadState.DONE && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(UploadState.DONE, keeper.uploadState(true));
        assertTrue(keeper.report().filesWritten() > filesBefore, "files were written after the snapshot");

        // ground truth: every datagram's capture time, from every ring file stored
        Map<Integer, BigDecimal> all = new TreeMap<>();
        for (BlobItem b : blobs.container().listBlobs()) {
            if (b.getName().startsWith(DIR + "/") && !b.getName().startsWith(DIR + "/snapshots/")) all.putAll(times(b.getName()));
        }
        assertEquals(seq, all.size(), "the ring files hold every datagram");
        BigDecimal from = epoch(request.from()), to = epoch(request.to());
        List<Integer> expected = all.entrySet().stream()
                .filter(e -> e.getValue().compareTo(from) >= 0 && e.getValue().compareTo(to) <= 0).map(Map.Entry::getKey).toList();
        assertTrue(expected.size() >= 60, "the window holds datagrams of several batches: " + expected.size());
        assertTrue(expected.size() < 400, "and not all of them: " + expected.size());

        Map<Integer, BigDecimal> snap = times(DIR + "/snapshots/s1.cap");
        assertEquals(expected, List.copyOf(snap.keySet()), "the snapshot holds exactly the window's datagrams");
        assertEquals(expected.size(), result.packets());
        assertFalse(Files.exists(dir.resolve("snapshots/s1.cap")), "the uploaded snapshot left the host");
    }
}
