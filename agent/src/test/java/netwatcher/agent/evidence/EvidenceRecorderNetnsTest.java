package netwatcher.agent.evidence;

import java.util.Set;
import netwatcher.agent.host.InterfaceExclusions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.upload.UploadService;
import netwatcher.agent.upload.Uploader;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.EvidenceSpec;
import netwatcher.testing.netns.Processes;
import netwatcher.testing.netns.VethPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence recorder with real libpcap in a fresh namespace pair: a capture armed before the traffic
 * holds its SYNs and RSTs, counted as tshark counts them, hashed, handed to the upload path and deleted
 * once uploaded; a capture that saw nothing is not uploaded; a host with too many files waiting does not
 * capture and says why. Uploads go to a fake {@link Uploader} that copies the file (the storage side has
 * its own tests).
 */
@Tag("netns")
class EvidenceRecorderNetnsTest {
    @RegisterExtension static final VethPair net = new VethPair();

    @TempDir Path dir;

    final Map<String, Path> uploaded = new ConcurrentHashMap<>();

    @BeforeAll
    static void engineAvailable() {
        assertEquals(Optional.empty(), CaptureEngine.unavailableReason()); // libpcap initialised in the host namespace
    }

    EvidenceRecorder recorder(int maxFiles) {
        return recorder(maxFiles, InterfaceExclusions.of(Set.of()));
    }

    EvidenceRecorder recorder(int maxFiles, InterfaceExclusions excluded) {
        Path store = dir.resolve("store");
        Uploader copy = (file, target, progress, digest) -> {
            Files.createDirectories(store);
            Path to = store.resolve(file.getFileName());
            Files.copy(file, to);
            uploaded.put(target.url(), to);
            progress.accept(Files.size(file));
        };
        UploadService uploads = new UploadService(Map.of(UploadTarget.LOCAL, copy), Duration.ofSeconds(5), Duration.ofMillis(10),
                Duration.ofMillis(50), InstantSource.system());
        return new EvidenceRecorder(new EvidenceRecorder.Settings(dir.resolve("evidence"), maxFiles, 0), uploads, InstantSource.system(),
                excluded);
    }

    EvidenceSpec spec() {
        return new EvidenceSpec(List.of(net.left().ipv4().getHostAddress()), 256, 1 << 20, 60, false,
                "https://controller.invalid/agent/v1/checks/k-1/evidence", "https://controller.invalid/storage/x.pcap");
    }

    @Test
    void armedCapture_holdsTheFlowsPackets_isCountedHashedUploadedAndDeleted() throws Exception {
        EvidenceRecorder recorder = recorder(8);
        var recording = net.right().call(() -> recorder.arm("k-1-observer", spec(), "Tcp", net.right().ipv4(), 5001, 0));
        String right = net.right().ipv4().getHostAddress();
        // three connection attempts to a closed port: SYN out, RST back, each
        net.left().bash("for i in 1 2 3; do (echo x > /dev/tcp/" + right + "/5001) 2>/dev/null; done; true");
        net.left().bash("(echo x > /dev/tcp/" + right + "/5002) 2>/dev/null; true"); // another flow: not evidence

        EvidenceReport report = recording.finish(false);
        assertEquals(EvidenceReport.CAPTURED, report.state(), String.valueOf(report));
        assertEquals(EvidenceReport.UPLOAD_PENDING, report.upload());
        assertEquals(6, report.packets(), report.toString());
        assertTrue(report.firstPacketTime() != null && !report.lastPacketTime().isBefore(report.firstPacketTime()));
        Path local = dir.resolve("evidence/k-1-observer.pcap");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(local) && System.nanoTime() < deadline) Thread.sleep(20);
        assertFalse(Files.exists(local), "deleted once uploaded");
        Path stored = uploaded.get(spec().uploadUrl() + "?sha256=" + report.sha256());
        assertTrue(stored != null, "uploaded with its hash in the URL: " + uploaded.keySet());
        assertEquals(report.sha256(), EvidenceRecorder.sha256(stored));
        assertEquals(report.bytes(), Files.size(stored));
        List<String> lines = Processes.run(Duration.ofSeconds(60), List.of("tshark", "-n", "-r", stored.toString(), "-T", "fields",
                "-e", "tcp.dstport", "-e", "tcp.srcport")).orThrow("tshark").stdout().lines().toList();
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.contains("5001")), lines.toString());
    }

    @Test
    void captureThatSawNothing_isNotUploaded_unlessKept() throws Exception {
        EvidenceRecorder recorder = recorder(8);
        var recording = net.right().call(() -> recorder.arm("k-2-observer", spec(), "Tcp", net.right().ipv4(), 5003, 0));
        EvidenceReport report = recording.finish(false);
        assertEquals(0, report.packets());
        assertEquals(EvidenceReport.UPLOAD_NONE, report.upload());
        assertTrue(report.reason().contains("no packet"), report.reason());
        assertFalse(Files.exists(dir.resolve("evidence/k-2-observer.pcap")));

        var kept = net.right().call(() -> recorder.arm("k-3-observer", spec(), "Tcp", net.right().ipv4(), 5003, 0)).finish(true);
        assertEquals(EvidenceReport.UPLOAD_PENDING, kept.upload(), "the destination keeps an empty file");
        assertNull(kept.reason());
    }

    @Test
    void ignoredInterfaces_areNeverCaptured() throws Exception {
        // the namespace's only interface is one the agent ignores: nothing is armed on it
        EvidenceRecorder recorder = recorder(8, InterfaceExclusions.of(Set.of(net.right().interfaceName())));
        EvidenceReport report = net.right().call(() -> recorder.arm("k-5-observer", spec(), "Tcp", net.right().ipv4(), 5001, 0))
                .finish(true);
        assertEquals(EvidenceReport.UNAVAILABLE, report.state(), String.valueOf(report));
        assertTrue(report.reason().contains("does not ignore"), report.reason());
    }

    @Test
    void tooManyFilesWaiting_meansNoCapture_withTheReason() throws Exception {
        EvidenceRecorder recorder = recorder(1);
        Files.writeString(dir.resolve("evidence/waiting.pcap"), "x");
        EvidenceReport report = net.right().call(() -> recorder.arm("k-4-source", spec(), "Tcp", net.right().ipv4(), 5001, 0))
                .finish(true);
        assertEquals(EvidenceReport.UNAVAILABLE, report.state());
        assertTrue(report.reason().contains("wait for upload"), report.reason());
    }
}
