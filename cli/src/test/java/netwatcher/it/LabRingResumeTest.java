package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A ring survives its agent's {@code kill -9}: a continuous ring on the lab host db, numbered UDP datagrams from app
 * before the kill and after the restarted agent resumed the ring; then the capture is stopped and every file is read
 * back from the local storage account with tshark (UDP to {@link #PORT} decoded as data, no heuristics). Every file
 * is there, no file was rewritten or reused an index, the datagrams from before and after are all there, the gap is
 * reported, and queryStatus never said the capture ended before it was stopped. A snapshot ordered just before the
 * kill, whose window ends after the restart, is cut by the restarted agent from the resumed ring's files.
 */
@Tag("netns")
class LabRingResumeTest {
    static final String DB = "198.18.3.10";
    static final int PORT = 5096;
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        scratch = world.scratch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close();
    }

    /** Sends datagrams "seq-FROM-000..." .. "seq-TO-000..." (about 200 bytes each), 20 at a time, 0.2 s apart. */
    void send(int from, int to) {
        world.bash("app", "pad=$(printf '%0180d' 0); for i in $(seq " + from + " " + to + "); do echo \"seq-$i-$pad\" > /dev/udp/"
                + DB + "/" + PORT + "; [ $((i % 20)) = 0 ] && sleep 0.2; done; true");
    }

    /** The datagram numbers in a capture file, read by tshark told that UDP {@link #PORT} carries data. */
    static List<Integer> datagrams(Path file) throws Exception {
        List<Integer> seq = new ArrayList<>();
        for (String hex : LabWorld.datagrams(file, PORT, "data.data")) {
            String text = new String(HexFormat.of().parseHex(hex.strip()), StandardCharsets.US_ASCII);
            seq.add(Integer.parseInt(text.substring("seq-".length(), text.indexOf('-', "seq-".length()))));
        }
        return seq;
    }

    static List<JsonNode> files(JsonNode status) {
        List<JsonNode> out = new ArrayList<>();
        status.path("ring").path("files").forEach(out::add);
        return out;
    }

    /** SIGKILL to db's agent JVM (not its wrapper): no report, no upload, no file closed. */
    static void killAgent() throws Exception {
        ProcessHandle wrapper = LAB.lab().agentProcess("db").orElseThrow();
        ProcessHandle java = Stream.concat(Stream.of(wrapper), wrapper.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst().orElseThrow();
        assertTrue(java.destroyForcibly());
        java.onExit().get();
    }

    @Test
    void ring_whoseAgentIsKilled_isResumedByTheRestartedAgent_withEveryFileStored_andTheGapReported() throws Exception {
        String name = "ringresume";
        world.createCapture(name, "db", """
                {"continuousCapture":true,"captureSettings":{"fileCount":6,"fileSizeInBytes":8192,"sessionTimeLimitInSeconds":900},
                 "storageLocation":{"storageId":"%s","localPath":"/var/captures/ringresume.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}""".formatted(world.localAccountId(), PORT));
        world.awaitRunning(name);
        Set<String> statuses = java.util.Collections.synchronizedSet(new LinkedHashSet<>()); // the watcher thread adds
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (watching.get()) {
                try {
                    statuses.add(world.status(name).path("packetCaptureStatus").asText());
                    Thread.sleep(200);
                } catch (Exception e) {
                    statuses.add("poll failed: " + e);
                }
            }
        });
        try {
            send(1, 150); // ~ 34 KB: four or five files of 8 KiB
            JsonNode before = world.awaitStatus(name, s -> files(s).stream().filter(f -> f.path("uploaded").asBoolean()).count() >= 3,
                    Duration.ofSeconds(60), "three files uploaded before the kill");
            Thread.sleep(1500); // past the flush interval (1 s): the file being written holds every datagram sent
            // a snapshot pending across the restart: its window ends after the restarted agent is back and sending again
            Instant snapFrom = Instant.parse(before.path("captureStartTime").asText());
            LabWorld.Reply snapshot = world.send("POST", world.watcher() + "/packetCaptures/" + name + "/snapshot" + LabWorld.V,
                    "{\"from\":\"" + snapFrom + "\",\"to\":\"" + Instant.now().plusSeconds(30) + "\"}");
            assertEquals(202, snapshot.status(), snapshot.response().headers().toString());
            Thread.sleep(500); // the agent took the order and waits for the window's end
            Instant killedAt = Instant.now();
            killAgent();
            Map<String, Long> storedBefore = new HashMap<>();
            for (JsonNode f : files(before)) if (f.path("uploaded").asBoolean()) storedBefore.put(f.path("name").asText(), f.path("bytes").asLong());

            LAB.lab().startAgent("db");
            JsonNode resumed = world.awaitStatus(name, s -> s.path("ring").path("restarts").asInt() == 1
                    && s.path("packetCaptureStatus").asText().equals("Running"), Duration.ofSeconds(90), "the ring resumed");
            JsonNode gap = resumed.path("ring").path("gaps").get(0);
            assertEquals("agentRestart", gap.path("cause").asText(), gap.toString());
            Instant gapFrom = Instant.parse(gap.path("from").asText()), gapTo = Instant.parse(gap.path("to").asText());
            assertFalse(gapTo.isBefore(gapFrom), gap.toString());
            assertTrue(gapTo.isAfter(killedAt), "the restarted agent armed after the kill: " + gap);
            assertTrue(gapFrom.isBefore(killedAt.plusMillis(500)), "the gap starts before the kill: " + gap);
            Instant resumedAt = Instant.now();
            System.out.println("ring resume: killed at " + killedAt + ", gap " + gap + ", resumed seen at " + resumedAt);

            send(201, 260); // two files or so: the files from before the kill are still on the host when the snapshot is cut
            // the pending snapshot is cut by the restarted agent from the resumed ring: packets from before and after
            JsonNode snap = world.awaitOperation(snapshot.response().headers().firstValue("Location").orElseThrow(), Duration.ofSeconds(90));
            LabWorld.Reply snapFile = world.send("GET", snap.path("storagePath").asText(), null);
            assertEquals(200, snapFile.status(), snap.toString());
            Path snapCopy = scratch.resolve("snapshot.cap");
            Files.write(snapCopy, snapFile.response().body());
            List<Integer> inSnapshot = datagrams(snapCopy);
            System.out.println("ring resume: snapshot across the restart " + snap + " holds " + inSnapshot.size() + " datagrams");
            assertTrue(inSnapshot.stream().anyMatch(i -> i <= 150), "the snapshot holds datagrams from before the kill: " + inSnapshot);
            assertTrue(inSnapshot.stream().anyMatch(i -> i >= 201), "the snapshot holds datagrams from after the restart: " + inSnapshot);
            send(261, 400);
            long writtenBefore = resumed.path("ring").path("filesWritten").asLong();
            world.awaitStatus(name, s -> s.path("ring").path("filesWritten").asLong() >= writtenBefore + 3, Duration.ofSeconds(60),
                    "three more files after the restart");
            Thread.sleep(1500);
            watching.set(false);
            watcher.join(5000);
            world.stopCapture(name);
            JsonNode end = world.awaitFinal(name, Duration.ofSeconds(90));
            assertEquals("Stopped", end.path("packetCaptureStatus").asText(), end.toString());
            assertEquals("StoppedByRequest", end.path("stopReason").asText(), end.toString());
            assertEquals("done", end.path("uploadState").asText(), end.toString());
            Set<String> seenWhileRunning;
            synchronized (statuses) {
                seenWhileRunning = new HashSet<>(statuses);
            }
            seenWhileRunning.removeAll(Set.of("Running", "Unknown")); // Unknown: the controller's word while an agent is away
            assertTrue(seenWhileRunning.isEmpty(), "until it was stopped the capture only ever ran: " + statuses);
            assertTrue(statuses.contains("Running"), statuses.toString());
            System.out.println("ring resume: statuses seen until the stop: " + statuses);

            // the ring's size holds across the restart: at most fileCount files (+ one whose upload was still running)
            try (Stream<Path> onHost = Files.list(world.hostFile("db", ""))) {
                long kept = onHost.filter(p -> p.getFileName().toString().startsWith("ringresume_")).count();
                assertTrue(kept >= 1 && kept <= 7, "files on the host: " + kept);
            }
            JsonNode ring = end.path("ring");
            assertEquals(1, ring.path("restarts").asInt(), ring.toString());
            assertEquals(0, ring.path("filesLost").asLong(), ring.toString());
            List<JsonNode> listed = files(end);
            assertEquals(ring.path("filesWritten").asLong(), listed.size(), "every file is listed: " + ring);
            Set<String> names = new HashSet<>();
            Map<Integer, Integer> count = new HashMap<>();
            long packets = 0;
            for (int i = 0; i < listed.size(); i++) {
                JsonNode f = listed.get(i);
                assertEquals(i + 1, f.path("index").asLong(), "indexes 1, 2, 3, ... none reused or skipped: " + f);
                assertTrue(names.add(f.path("name").asText()), "one name per file: " + f);
                assertTrue(f.path("uploaded").asBoolean(), f.toString());
                LabWorld.Reply got = world.send("GET", f.path("storagePath").asText(), null);
                assertEquals(200, got.status(), f.toString());
                byte[] body = got.response().body();
                assertEquals(f.path("bytes").asLong(), body.length, f.toString());
                Long earlier = storedBefore.get(f.path("name").asText());
                if (earlier != null) assertEquals(earlier.longValue(), body.length, "a file stored before the kill is unchanged: " + f);
                Path copy = scratch.resolve(f.path("name").asText());
                Files.write(copy, body);
                List<Integer> in = datagrams(copy);
                assertEquals(f.path("packets").asLong(), in.size(), f.toString());
                for (int seq : in) count.merge(seq, 1, Integer::sum);
                packets += in.size();
            }
            for (int i = 1; i <= 150; i++) assertEquals(1, count.getOrDefault(i, 0), "datagram " + i + " (before the kill) once");
            for (int i = 201; i <= 400; i++) assertEquals(1, count.getOrDefault(i, 0), "datagram " + i + " (after the restart) once");
            assertEquals(end.path("packetsCaptured").asLong(), packets, "counters summed across the restart: " + end);
            assertTrue(Instant.parse(end.path("captureStartTime").asText()).isBefore(killedAt), "one capture, started before the kill");
            assertTrue(resumedAt.isAfter(gapTo), Arrays.toString(new Instant[] {gapFrom, gapTo, resumedAt}));
        } finally {
            watching.set(false);
        }
    }
}
