package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's production heap ({@code agent-jvm.options}: {@code -Xmx20m}, exit on {@code OutOfMemoryError}) holds
 * the load that once killed agents in the cluster failover test: on the default lab with real agents, three
 * connectivity checks app → db:1433 at once, again and again (so fw1, fw2 and db each run three observer parts at
 * once: firewall snapshots, an nftables trace each, an arrival witness on db, an evidence capture each and its
 * upload), beside a packet capture on every host that ends and uploads, and app → db traffic on the checked flow
 * the whole time. Every check must answer Reachable, every capture end with its upload done, and every agent
 * still run. The agents write a GC log, and the test prints each agent's highest heap after a collection
 * ({@code agent heap:} lines; BENCHMARKS.md §2e); an agent that dies leaves a heap dump in the test's directory.
 */
@Tag("netns")
class LabAgentHeapTest {
    static final String DB = "198.18.3.10";
    static final List<String> OBSERVED = List.of("app", "fw1", "fw2", "db");
    /** Checks at once, as the failover test's two clients plus the one accepted before the kill. */
    static final int CONCURRENT_CHECKS = 3;
    static final int ROUNDS = 4;
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    @Test
    void concurrentCheckParts_capturesAndUploads_fitTheProductionHeap() throws Exception {
        Path diagnostics = Files.createTempDirectory("nwit-agentheap-");
        boolean passed = false;
        List<String> jvm = List.of("-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + diagnostics,
                "-Xlog:gc:file=" + diagnostics + "/gc-%p.log");
        try (LabWorld world = LabWorld.start(LAB.lab(), AGENTS, Map.of(), List.of(), jvm)) {
            assertTrue(netwatcher.agent.AgentJvm.options().stream().anyMatch(o -> o.equals("-Xmx20m")), "the production heap");
            for (String host : OBSERVED) {
                world.createCapture("heap-" + host, host, """
                        {"timeLimitInSeconds":20,"storageLocation":{"storageId":"%s","filePath":"/var/captures/heap-%s.cap"}}
                        """.formatted(world.localAccountId(), host));
            }
            for (String host : OBSERVED) world.awaitRunning("heap-" + host);
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread traffic = Thread.ofVirtual().start(() -> {
                while (loading.get()) {
                    LAB.lab().exec("app", Duration.ofSeconds(20), List.of("bash", "-c", "for i in 1 2 3; do timeout 5 bash -c 'exec 3<>/dev/tcp/"
                            + DB + "/1433; head -c 20000 /dev/zero >&3; head -c 20000 <&3 >/dev/null'; done; true"));
                }
            });
            List<String> answers = new CopyOnWriteArrayList<>();
            List<String> errors = new CopyOnWriteArrayList<>();
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    List<String> locations = new ArrayList<>();
                    for (int i = 0; i < CONCURRENT_CHECKS; i++) {
                        var r = world.send("POST", world.watcher() + "/connectivityCheck" + LabWorld.V, "{\"source\":{\"resourceId\":\""
                                + world.vmId("app") + "\"},\"destination\":{\"address\":\"" + DB + "\",\"port\":1433}}");
                        assertEquals(202, r.status(), r.body());
                        locations.add(r.header("Location"));
                    }
                    for (String location : locations) {
                        try {
                            JsonNode answer = world.awaitOperation(location, Duration.ofSeconds(120));
                            answers.add(answer.path("connectionStatus").asText("?"));
                        } catch (AssertionError e) {
                            errors.add(e.getMessage());
                        }
                    }
                }
            } finally {
                loading.set(false);
                traffic.join();
            }
            List<String> dead = LAB.lab().hosts().stream().filter(h -> h.agent())
                    .filter(h -> !LAB.lab().agentProcess(h.name()).map(ProcessHandle::isAlive).orElse(false)).map(h -> h.name()).toList();
            printHeapPeaks(diagnostics);
            assertEquals(List.of(), dead, "agents that did not survive (heap dumps, if any, in " + diagnostics + ")");
            for (String host : OBSERVED) {
                JsonNode s = world.awaitStatus("heap-" + host, st -> st.path("packetCaptureStatus").asText().equals("Stopped")
                        && !st.path("uploadState").asText().equals("pending") && !st.path("uploadState").asText().equals("uploading"),
                        Duration.ofSeconds(120), "Stopped with its upload settled");
                assertEquals("done", s.path("uploadState").asText(), "heap-" + host + ": " + s);
            }
            assertEquals(List.of(), errors, "every check answers");
            assertEquals(CONCURRENT_CHECKS * ROUNDS, answers.size());
            // app reaches db:1433; a probe lost on a loaded machine makes a check Degraded, never Unreachable or Unknown
            assertTrue(answers.stream().allMatch(a -> a.equals("Reachable") || a.equals("Degraded")), answers.toString());
            assertTrue(answers.contains("Reachable"), answers.toString());
            passed = true;
        } finally {
            if (passed) {
                LabWorld.deleteTree(diagnostics);
            } else {
                System.err.println("agent heap test: GC logs and heap dumps kept in " + diagnostics);
            }
        }
    }

    /** GC log lines such as {@code GC(12) Pause Young (Allocation Failure) 15M->9M(19M) 3.1ms}: the highest "after". */
    private static final Pattern PAUSE = Pattern.compile("Pause \\w+.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private static void printHeapPeaks(Path diagnostics) throws Exception {
        try (Stream<Path> logs = Files.list(diagnostics)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("gc-")).sorted().toList()) {
                int maxAfter = 0;
                int maxAfterFull = 0;
                int maxBefore = 0;
                int collections = 0;
                int full = 0;
                for (String line : Files.readAllLines(log)) {
                    Matcher m = PAUSE.matcher(line);
                    if (!m.find()) continue;
                    collections++;
                    if (line.contains("Pause Full")) {
                        full++;
                        maxAfterFull = Math.max(maxAfterFull, Integer.parseInt(m.group(2)));
                    }
                    maxBefore = Math.max(maxBefore, Integer.parseInt(m.group(1)));
                    maxAfter = Math.max(maxAfter, Integer.parseInt(m.group(2)));
                }
                System.out.println("agent heap: " + log.getFileName() + " highest after a collection " + maxAfter + " MiB, before "
                        + maxBefore + " MiB, after a full one (what is live) " + maxAfterFull + " MiB; " + collections + " collections, "
                        + full + " full");
            }
        }
    }
}
