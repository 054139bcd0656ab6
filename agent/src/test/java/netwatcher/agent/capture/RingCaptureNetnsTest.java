package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.testing.netns.Processes;
import netwatcher.testing.netns.VethPair;
import netwatcher.testing.netns.VethPair.Namespace;

/**
 * Ring captures with real libpcap on a veth pair between two namespaces: numbered UDP datagrams are sent while
 * the session rolls over from file to file, and the files together must hold every datagram exactly once (none
 * lost or doubled at a boundary), each file a valid pcap that tshark reads, named by the documented scheme.
 */
@Tag("netns")
class RingCaptureNetnsTest {
    private static final Duration END_WAIT = Duration.ofSeconds(30);
    private static final int FILE_SIZE = 16_384;
    private static final int PORT = 5007;

    @RegisterExtension static final VethPair net = new VethPair();

    @TempDir Path dir;

    @BeforeAll
    static void engineAvailable() {
        assertEquals(Optional.empty(), CaptureEngine.unavailableReason());
    }

    private CaptureOptions ring(String name, int files, boolean continuous) {
        return CaptureOptions.of(dir.resolve(name)).withInterfaces(List.of(net.right().interfaceName()))
                .withBpfFilter("udp dst port " + PORT).withRing(new RingOptions(files, FILE_SIZE, continuous));
    }

    /** Sends datagrams "seq-FROM" .. "seq-TO" (each padded to 200 bytes) from left to right. */
    private void send(int from, int to) {
        Namespace left = net.left();
        left.bash("pad=$(printf '%0180d' 0); for i in $(seq " + from + " " + to + "); do echo \"seq-$i-$pad\" > /dev/udp/"
                + net.right().ipv4().getHostAddress() + "/" + PORT + "; done");
    }

    private static List<String> payloads(Path file) {
        return Processes.run(Duration.ofSeconds(60), List.of("tshark", "-n", "-d", "udp.port==" + PORT + ",data", "-r", file.toString(), "-T", "fields", "-e", "data.data"))
                .orThrow("tshark -r " + file).stdout().lines()
                .map(hex -> new String(java.util.HexFormat.of().parseHex(hex.strip())).replaceFirst("-0+\\n?$", ""))
                .toList();
    }

    private List<Path> filesOnDisk() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> RingFile.indexOf(p.getFileName().toString()) > 0).sorted().toList();
        }
    }

    @Test
    void ring_underTraffic_rollsOverWithoutLosingOrDoublingAPacket() throws Exception {
        List<RingFile> closed = new CopyOnWriteArrayList<>();
        List<CaptureResult> ended = new CopyOnWriteArrayList<>();
        CaptureSession session = net.right().call(() -> CaptureSession.start(ring("pc1.cap", 2, true),
                new CaptureSession.Listeners(r -> {
                    ended.add(r);
                    closed.add(null); // marks where the end came among the files
                }, closed::add), java.time.InstantSource.system()));
        int sent = 1500; // ~ 330 KB of records: some 20 files of 16 KiB
        send(1, sent);
        // stop once the session has written every datagram it was sent (at most 20 s), so that what is checked below is
        // the rollover, not how long a stop's drain waits on a loaded machine (CI once stopped 300 ms after the send with
        // datagrams 1024.. still in the kernel ring)
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (session.stats().packets() < sent && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(session.writing() != null && session.writing().index() > 3, "rolled over while running: " + session.writing());
        session.stop(EndCause.STOP_REQUESTED);
        CaptureResult result = session.awaitEnd(END_WAIT).orElseThrow();

        assertEquals(EndCause.STOP_REQUESTED, result.cause());
        assertNull(closed.getLast(), "every file was handed over before the end");
        List<RingFile> files = closed.subList(0, closed.size() - 1);
        assertEquals(filesOnDisk(), files.stream().map(RingFile::path).toList(), "the session removes nothing itself");
        List<String> seen = new ArrayList<>();
        long packets = 0;
        for (int i = 0; i < files.size(); i++) {
            RingFile f = files.get(i);
            assertEquals(i + 1, f.index());
            assertTrue(f.name().matches("pc1_\\d{6}_\\d{8}T\\d{6}\\.\\d{3}Z\\.cap"), f.name());
            assertEquals(f.index(), RingFile.indexOf(f.name()));
            assertEquals(Files.size(f.path()), f.bytes());
            if (i < files.size() - 1) {
                assertTrue(f.bytes() >= FILE_SIZE && f.bytes() < FILE_SIZE + 16 + 300, "file " + f.name() + ": " + f.bytes() + " bytes");
            }
            List<String> in = payloads(f.path()); // tshark reads every file
            assertEquals(f.packets(), in.size(), f.name());
            seen.addAll(in);
            packets += f.packets();
        }
        Set<String> unique = new HashSet<>(seen);
        assertEquals(seen.size(), unique.size(), "no datagram twice");
        for (int i = 1; i <= sent; i++) assertTrue(unique.contains("seq-" + i), "datagram " + i + " is in a file");
        assertEquals(sent, seen.size());
        assertEquals(packets, result.stats().packets());
        assertEquals(files.stream().mapToLong(RingFile::bytes).sum(), result.stats().bytesWritten());
        assertEquals(0, result.stats().kernelDrops());
    }

    @Test
    void fileSet_notContinuous_endsWhenItsFilesAreFull() throws Exception {
        List<RingFile> closed = new CopyOnWriteArrayList<>();
        CaptureSession session = net.right().call(() -> CaptureSession.start(ring("set.cap", 3, false),
                new CaptureSession.Listeners(r -> {}, closed::add), java.time.InstantSource.system()));
        send(1, 600); // ~ 130 KB: more than 3 files hold
        CaptureResult result = session.awaitEnd(END_WAIT).orElseThrow(() -> new AssertionError("the full set did not end it"));

        assertEquals(EndCause.BYTE_LIMIT, result.cause());
        assertEquals(List.of(1L, 2L, 3L), closed.stream().map(RingFile::index).toList());
        assertEquals(3, filesOnDisk().size());
        for (RingFile f : closed) {
            assertTrue(f.bytes() >= FILE_SIZE, f.name() + " is full");
            assertEquals(f.packets(), payloads(f.path()).size());
        }
        List<String> first = payloads(closed.getFirst().path());
        assertEquals("seq-1", first.getFirst());
    }

    @Test
    void stop_midFile_closesTheOpenFileAsAValidLastFile() throws Exception {
        List<RingFile> closed = new CopyOnWriteArrayList<>();
        CaptureSession session = net.right().call(() -> CaptureSession.start(ring("mid.cap", 5, true),
                new CaptureSession.Listeners(r -> {}, closed::add), java.time.InstantSource.system()));
        send(1, 100); // ~ 22 KB: the second file is part-filled
        CaptureResult result = net.right().call(() -> {
            session.stop(EndCause.STOP_REQUESTED);
            return session.awaitEnd(END_WAIT).orElseThrow();
        });

        assertEquals(EndCause.STOP_REQUESTED, result.cause());
        assertEquals(2, closed.size(), "files: " + closed);
        RingFile last = closed.getLast();
        assertTrue(last.bytes() < FILE_SIZE, "the last file is part-filled: " + last.bytes());
        List<String> all = new ArrayList<>(payloads(closed.getFirst().path()));
        all.addAll(payloads(last.path()));
        assertEquals(100, all.size());
        assertEquals("seq-100", all.getLast());
        assertEquals(100, result.stats().packets());
        assertNull(session.writing());
    }
}
