package netwatcher.agent.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.models.BlobItem;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureSession;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.capture.RingOptions;
import netwatcher.model.agent.RingFileReport;
import netwatcher.model.agent.RingReport;
import netwatcher.model.capture.UploadState;
import netwatcher.testing.netns.Processes;
import netwatcher.testing.netns.VethPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ring capture with real libpcap in a namespace, its files uploaded by a {@link RingKeeper} to a real Azurite
 * through the blob uploader: each file is in the account while the capture still runs, the host keeps the ring's
 * size, and the stored files together hold every datagram sent, each once.
 */
@Tag("netns")
class RingKeeperNetnsTest {
    private static final int PORT = RingBlobs.PORT;
    private static final int FILE_SIZE = 16_384;

    @RegisterExtension static final VethPair net = new VethPair();

    @TempDir Path tmp;
    @RegisterExtension final RingBlobs blobs = new RingBlobs();

    @BeforeEach
    void libpcap() {
        assertTrue(CaptureEngine.unavailableReason().isEmpty());
    }

    private final Set<Integer> unsent = new HashSet<>();

    private void send(int from, int to) {
        unsent.addAll(RingBlobs.send(net, from, to));
    }

    private List<String> storedNames(String dir) {
        List<String> names = new ArrayList<>();
        for (BlobItem b : blobs.container().listBlobs()) if (b.getName().startsWith(dir + "/")) names.add(b.getName());
        return names;
    }

    private List<String> payloads(byte[] pcap) throws Exception {
        Path f = Files.createTempFile(tmp, "blob", ".pcap");
        Files.write(f, pcap);
        return Processes.run(Duration.ofSeconds(60), List.of("tshark", "-n", "-d", "udp.port==" + PORT + ",data", "-r", f.toString(), "-T", "fields", "-e", "data.data"))
                .orThrow("tshark").stdout().lines()
                .map(hex -> new String(HexFormat.of().parseHex(hex.strip())).replaceFirst("-0+\\n?$", "")).toList();
    }

    @Test
    void ring_toBlob_uploadsEachFileAsItCloses_keepsTheRingOnTheHost_andLosesNothing() throws Exception {
        Path dir = tmp.resolve("captures");
        Files.createDirectories(dir);
        RingOptions ring = new RingOptions(3, FILE_SIZE, true);
        RingKeeper keeper = new RingKeeper("c-test", ring, blobs.base("subscriptions/s/pc1"), blobs.uploads(), () -> {});
        CaptureOptions options = CaptureOptions.of(dir.resolve("pc1.cap")).withInterfaces(List.of(net.right().interfaceName()))
                .withBpfFilter("udp dst port " + PORT).withRing(ring);
        CaptureSession session = net.right().call(() -> CaptureSession.start(options,
                new CaptureSession.Listeners(r -> {}, keeper::fileClosed), InstantSource.system()));
        int sent = 1200; // ~ 260 KB: some 16 files
        send(1, 80); // the first file closes; its upload also loads the Blob SDK
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (storedNames("subscriptions/s/pc1").isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        // then about one file every 0.4 s: a pace the uploads keep up with (a faster one loses files, reported)
        for (int from = 81; from <= sent; from += 40) {
            send(from, Math.min(sent, from + 39));
            Thread.sleep(200);
        }

        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (storedNames("subscriptions/s/pc1").size() < 5 && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(storedNames("subscriptions/s/pc1").size() >= 5, "files are stored while the capture runs");
        assertFalse(session.result().isDone(), "the capture still runs");

        session.stop(EndCause.STOP_REQUESTED);
        session.awaitEnd(Duration.ofSeconds(30)).orElseThrow();
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (keeper.uploadState(true) != UploadState.DONE && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(UploadState.DONE, keeper.uploadState(true));

        RingReport report = keeper.report();
        assertEquals(0, report.filesLost(), report.toString());
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> onHost = s.toList();
            assertTrue(onHost.size() <= ring.fileCount(), "after the uploads the host keeps the ring: " + onHost);
            assertEquals(report.files().stream().filter(RingFileReport::onHost).count(), onHost.size());
        }
        List<String> stored = storedNames("subscriptions/s/pc1");
        assertEquals(report.filesWritten(), stored.size());
        Set<String> seen = new HashSet<>();
        java.util.Map<String, String> where = new java.util.HashMap<>();
        for (RingFileReport f : report.files()) {
            assertEquals(UploadState.DONE, f.uploadState(), f.toString());
            assertTrue(stored.contains("subscriptions/s/pc1/" + f.name()), f.name());
            assertEquals(f.index(), RingFile.indexOf(f.name()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            blobs.container().getBlobClient("subscriptions/s/pc1/" + f.name()).downloadStream(out);
            assertEquals(f.bytes(), out.size(), f.name());
            List<String> in = payloads(out.toByteArray());
            assertEquals(f.packets(), in.size(), f.name());
            for (int k = 0; k < in.size(); k++) where.put(in.get(k), f.name() + "#" + k + "/" + in.size());
            for (String p : in) assertTrue(seen.add(p), p + " twice");
        }
        // every datagram that left the sender is in a stored file, unless the kernel says it dropped it before libpcap
        // read it (a full capture ring under load: counted, reported, and no loss at a file boundary)
        List<Integer> missing = new ArrayList<>();
        for (int i = 1; i <= sent; i++) if (!unsent.contains(i) && !seen.contains("seq-" + i)) missing.add(i);
        CaptureStats stats = session.stats();
        assertTrue(missing.size() <= stats.kernelDrops() + stats.interfaceDrops(), "datagrams " + missing + " are not stored, and"
                + " the kernel counted " + stats.kernelDrops() + " drops (" + stats.interfaceDrops() + " on the interface); unsent " + unsent
                + "; neighbours: " + missing.stream().map(m -> where.get("seq-" + (m - 1)) + " | " + where.get("seq-" + (m + 1))).toList());
        assertTrue(unsent.size() < sent / 10, "the sender sent most datagrams: unsent " + unsent);
    }
}
