package netwatcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.cli.lab.LabAgents;
import netwatcher.lab.LabHandle;

/**
 * The real agent against {@code tcpdump -w} in a two-host lab ({@code bench/two-hosts.json}, lab name
 * {@code b} + 6 random characters, so namespaces are {@code nw-bXXXXXX-*}; removed on every exit path by
 * {@link LabHandle#close()} and the lab's shutdown hook). The controller runs in this process on
 * embedded H2; the agent is a separate JVM in the receiver's namespace, started by the lab.
 *
 * <p>Throughput rounds: {@code udpsend} floods {@code count} numbered datagrams (bounded by
 * {@code seconds}) from {@code snd} to {@code rcv}; the agent (PUT capture, filter UDP, snap length
 * {@code snap}, its 32 MiB ring) and {@code tcpdump -s snap -B 32768 udp} capture at the same time on
 * {@code rcv}'s eth0. Latency rounds: with a steady 1,000 pps stream (and, with {@code
 * -Dbench.latencyFloodPps=N}, a flood of N pps beside it), PUT → first packet in the file
 * (start) and POST stop → file present in the local storage account (stop). Agent VmRSS is sampled
 * from {@code /proc} during the floods, and in the latency rounds while each capture runs and after its upload.
 * The agent runs with {@code agent-jvm.options} unless {@code -Dbench.agentJavaOpts} says otherwise.
 * Arguments: {@code SENDER TOPOLOGY [rounds=3] [count=3000000] [seconds=10] [latencyIterations=40]}.
 */
public final class CaptureBench {
    private CaptureBench() {}

    static final int PAYLOAD = 18; // 14 + 20 + 8 + 18 = 60-byte frames
    static final int SNAP = 128;
    static final String V = "?api-version=2025-05-01";

    public static void main(String[] args) throws Exception {
        Path sender = Path.of(args[0]).toAbsolutePath();
        Path topologyFile = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long count = args.length > 3 ? Long.parseLong(args[3]) : 3_000_000;
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int latencyIterations = args.length > 5 ? Integer.parseInt(args[5]) : 40;

        BenchLab bench = BenchLab.up("nwbench-cap", topologyFile);
        try (bench) {
            LabHandle lab = bench.lab;
            Path controllerDir = bench.controllerDir;
            String sub = bench.subscription;
            LabAgents agents = bench.agents();
            String agentOpts = agentOptsText();
            if (!agentOpts.isEmpty()) agents = agents.withJvmOptions(List.of(agentOpts.split("\\s+")));
            System.out.println("agent JVM options: " + String.join(" ", agents.jvmOptions())
                    + (agentOpts.isEmpty() ? " (agent-jvm.options, as nw agent and the systemd unit of agent/install)" : " (BENCH_AGENT_JAVA_OPTS)"));
            String agentFlags = System.getProperty("bench.agentFlags", "").strip();
            if (!agentFlags.isEmpty()) {
                agents = agents.withExtraFlags(List.of(agentFlags.split("\\s+")));
                System.out.println("agent flags: " + agentFlags);
            }
            List<String> cmd = new ArrayList<>();
            String agentEnv = System.getProperty("bench.agentEnv", "").strip();
            if (!agentEnv.isEmpty()) {
                cmd.add("env");
                cmd.addAll(List.of(agentEnv.split("\\s+")));
                System.out.println("agent environment: " + agentEnv);
            }
            cmd.addAll(agents.command(lab.host("rcv")));
            String vmId = bench.startAgent("rcv", cmd);
            Https https = bench.https;
            Thread.sleep(1000);
            long agentPid = agentPid(lab);
            System.out.printf("agent pid %d (%s)%n", agentPid, Files.readString(Path.of("/proc/" + agentPid + "/comm")).strip());
            Bench b = new Bench(https, controllerDir, lab, vmId, sub, sender, agentPid);

            for (int round = 1; round <= rounds; round++) b.throughput(round, count, seconds);
            if (agentOptsText().contains("NativeMemoryTracking")) {
                String jcmd = Path.of(LabAgents.thisJava()).resolveSibling("jcmd").toString();
                Process p = new ProcessBuilder(jcmd, Long.toString(agentPid), "VM.native_memory", "summary").redirectErrorStream(true).start();
                System.out.println("agent native memory after the floods:\n" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                p.waitFor();
            }
            if (ring() == null) b.latency(rounds, latencyIterations); // the latency rounds measure one-file captures
        }
        bench.removeData(); // kept when the run failed, for its logs
    }

    /** The per-run context. */
    record Bench(Https https, Path controllerDir, LabHandle lab, String vmId, String sub, Path sender, long agentPid) {
        String nw() {
            return "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        }

        String body(String name, int timeLimit) {
            if (ring() != null) {
                // a ring: no upload (as tcpdump), continuous, the files of tcpdump -C MB -W FILES (-C counts 1,000,000 bytes)
                return """
                        {"properties":{"target":"%s","bytesToCapturePerPacket":%d,"continuousCapture":true,
                         "captureSettings":{"fileCount":%d,"fileSizeInBytes":%d,"sessionTimeLimitInSeconds":%d},
                         "storageLocation":{"localPath":"/var/captures/%s.cap"},
                         "filters":[{"protocol":"UDP"}]}}""".formatted(vmId, SNAP, ring()[0], ring()[1] * 1_000_000L, timeLimit, name);
            }
            return """
                    {"properties":{"target":"%s","bytesToCapturePerPacket":%d,"timeLimitInSeconds":%d,
                     "storageLocation":{"filePath":"/var/captures/%s.cap",
                       "storageId":"/subscriptions/%s/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/netwatcherlocal"},
                     "filters":[{"protocol":"UDP"}]}}""".formatted(vmId, SNAP, timeLimit, name, sub);
        }

        void waitRunning(String name) throws Exception {
            waitFor(Duration.ofSeconds(20), () -> {
                JsonNode p = https.send("GET", nw() + "/packetCaptures/" + name + V, null).expect(200).json().path("properties");
                String st = p.path("provisioningState").asText();
                if (st.equals("Failed")) throw new IllegalStateException("capture failed: " + p);
                return st.equals("Succeeded");
            }, name + " running");
        }

        JsonNode status(String name) throws Exception {
            return followLro(https.send("POST", nw() + "/packetCaptures/" + name + "/queryStatus" + V, null)).expect(200).json();
        }

        JsonNode waitFinal(String name) throws Exception {
            JsonNode[] last = new JsonNode[1];
            waitFor(Duration.ofSeconds(60), () -> {
                last[0] = status(name);
                return last[0].path("packetCaptureStatus").asText().matches("Stopped|Error")
                        && last[0].path("uploadState").asText().matches(ring() != null ? "done|failed|none" : "done|failed");
            }, name + " final");
            return last[0];
        }

        Path storedFile(String name) throws Exception {
            String sp = https.send("GET", nw() + "/packetCaptures/" + name + V, null).expect(200).json()
                    .path("properties").path("storageLocation").path("storagePath").asText();
            String blob = URLDecoder.decode(sp.substring(sp.indexOf("/storage/netwatcherlocal/") + "/storage/netwatcherlocal/".length()), StandardCharsets.UTF_8);
            return controllerDir.resolve("storage").resolve("netwatcherlocal").resolve(blob);
        }

        long rssKiB() {
            return rssKiB(agentPid);
        }

        static long rssKiB(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
                }
            } catch (Exception e) {
                return -1;
            }
            return -1;
        }

        void throughput(int round, long count, int seconds) throws Exception {
            String name = "flood" + round;
            Path td = lab.host("rcv").capturesDirectory().resolve("tcpdump-" + round + ".pcap");
            Path tdLog = controllerDir.resolve("tcpdump-" + round + ".log");
            List<String> tdCommand = new ArrayList<>(List.of("ip", "netns", "exec", lab.host("rcv").namespace(), "tcpdump", "-i", "eth0",
                    "-n", "-s", Integer.toString(SNAP), "-B", "32768", "-w", td.toString()));
            if (ring() != null) tdCommand.addAll(List.of("-C", Integer.toString(ring()[1]), "-W", Integer.toString(ring()[0]), "-Z", "root"));
            tdCommand.add("udp");
            Process tcpdump = new ProcessBuilder(tdCommand)
                    .redirectErrorStream(true).redirectOutput(tdLog.toFile()).start();
            try {
                waitFor(Duration.ofSeconds(10), () -> Files.readString(tdLog).contains("listening on"), "tcpdump listening");
                https.send("PUT", nw() + "/packetCaptures/" + name + V, body(name, 120)).expect(201);
                waitRunning(name);
                long rss0 = rssKiB();
                AtomicLong rssMax = new AtomicLong(rss0);
                AtomicLong tdRssMax = new AtomicLong();
                Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        rssMax.accumulateAndGet(rssKiB(), Math::max);
                        tdRssMax.accumulateAndGet(rssKiB(tcpdump.pid()), Math::max);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                var sent = lab.exec("snd", Duration.ofSeconds(seconds + 20), List.of(sender.toString(), lab.host("rcv").ipv4(), "9",
                        Long.toString(count), "0", Integer.toString(seconds), Integer.toString(PAYLOAD))).orThrow();
                Thread.sleep(1500); // both drain their rings
                sampler.interrupt();
                Matcher m = Pattern.compile("sent (\\d+) in ([0-9.]+) s").matcher(sent.stdout());
                if (!m.find()) throw new IllegalStateException("udpsend: " + sent.stdout() + sent.stderr());
                long nSent = Long.parseLong(m.group(1));
                double floodSeconds = Double.parseDouble(m.group(2));
                https.send("POST", nw() + "/packetCaptures/" + name + "/stop" + V, null).expect(200, 202);
                new ProcessBuilder("kill", "-INT", Long.toString(tcpdump.pid())).start().waitFor();
                tcpdump.waitFor();
                JsonNode st = waitFinal(name);
                String tdOut = Files.readString(tdLog);
                long tdDrop = num(tdOut, "(\\d+) packets? dropped by kernel");
                long tdRecv = num(tdOut, "(\\d+) packets? received by filter");
                Path captures = lab.host("rcv").capturesDirectory();
                PcapFile agentFile = ring() == null ? PcapFile.read(captures.resolve(name + ".cap"), PAYLOAD)
                        : readAll(captures, name + "_", name + " ring file");
                PcapFile tdFile = ring() == null ? PcapFile.read(td, PAYLOAD) : readAll(captures, td.getFileName().toString(), "tcpdump -C file");
                System.out.printf(Locale.ROOT, "round %d: sent %d datagrams in %.2f s (%.0f pps), 60-byte frames, snap %d%n",
                        round, nSent, floodSeconds, nSent / floodSeconds, SNAP);
                System.out.printf(Locale.ROOT, "round %d: agent   file %d packets (%d distinct seq, lost %d = %.3f%%), %.0f pps captured; ps_drop %d, ps_recv %d, status %s%n",
                        round, agentFile.packets(), agentFile.distinctSeq(), nSent - agentFile.distinctSeq(), 100.0 * (nSent - agentFile.distinctSeq()) / nSent,
                        agentFile.packets() / floodSeconds, st.path("kernelDrops").asLong(), st.path("kernelReceived").asLong(),
                        st.path("packetCaptureStatus").asText());
                System.out.printf(Locale.ROOT, "round %d: tcpdump file %d packets (%d distinct seq, lost %d = %.3f%%), %.0f pps captured; dropped by kernel %d, received by filter %d%n",
                        round, tdFile.packets(), tdFile.distinctSeq(), nSent - tdFile.distinctSeq(), 100.0 * (nSent - tdFile.distinctSeq()) / nSent,
                        tdFile.packets() / floodSeconds, tdDrop, tdRecv);
                double ratio = (double) agentFile.distinctSeq() / Math.max(1, tdFile.distinctSeq());
                System.out.printf(Locale.ROOT, "round %d: RESULT agent/tcpdump %.3f (target >= 1.0: %s), loss agent %d vs tcpdump %d (target <=: %s), agent VmRSS %d MiB before, max %d MiB while capturing (target <= 128: %s; tcpdump max %d MiB)%n",
                        round, ratio, ratio >= 1.0 ? "met" : "MISSED", nSent - agentFile.distinctSeq(), nSent - tdFile.distinctSeq(),
                        agentFile.distinctSeq() >= tdFile.distinctSeq() ? "met" : "MISSED", rss0 >> 10, rssMax.get() >> 10,
                        rssMax.get() <= 128 * 1024 ? "met" : "MISSED", tdRssMax.get() >> 10);
                Files.deleteIfExists(td);
                Files.deleteIfExists(lab.host("rcv").capturesDirectory().resolve(name + ".cap"));
                if (ring() != null) {
                    try (var files = Files.list(captures)) {
                        for (Path f : files.filter(f -> f.getFileName().toString().startsWith(name + "_")
                                || f.getFileName().toString().startsWith(td.getFileName().toString())).toList()) Files.delete(f);
                    }
                }
            } finally {
                if (tcpdump.isAlive()) {
                    new ProcessBuilder("kill", "-INT", Long.toString(tcpdump.pid())).start().waitFor();
                    tcpdump.waitFor();
                }
            }
        }

        /**
         * The final answer of a long-running operation as the Azure SDKs reach it: the first answer
         * when it is not 202, else polls of its Location, waiting {@code retry-after-ms} (else
         * {@code Retry-After} seconds) before each.
         */
        Https.Reply followLro(Https.Reply first) throws Exception {
            Https.Reply last = first;
            String location = first.header("Location");
            while (last.status() == 202) {
                String ms = last.header("retry-after-ms");
                String sec = last.header("Retry-After");
                Thread.sleep(ms != null ? Long.parseLong(ms) : sec != null ? Long.parseLong(sec) * 1000 : 1000);
                last = https.send("GET", location, null);
            }
            return last;
        }

        void latency(int rounds, int iterations) throws Exception {
            long rate = 1000;
            int maxSeconds = 600;
            Process stream = lab.spawn("snd", List.of(sender.toString(), lab.host("rcv").ipv4(), "9", Long.toString(rate * maxSeconds),
                    Long.toString(rate), Integer.toString(maxSeconds), Integer.toString(PAYLOAD)), controllerDir.resolve("stream.log"));
            // issue 11: "with the lab flood running": a second sender on the same link, bounded in count and time like the stream
            long floodPps = Long.getLong("bench.latencyFloodPps", 0);
            Process flood = floodPps <= 0 ? null : lab.spawn("snd", List.of(sender.toString(), lab.host("rcv").ipv4(), "9",
                    Long.toString(floodPps * maxSeconds), Long.toString(floodPps), Integer.toString(maxSeconds), Integer.toString(PAYLOAD)),
                    controllerDir.resolve("flood.log"));
            System.out.printf(Locale.ROOT, "latency rounds: a %d pps stream%s to rcv:9 (UDP, %d-byte payloads), captured with a UDP filter%n",
                    rate, flood == null ? "" : " and a " + floodPps + " pps flood", PAYLOAD);
            try {
                Thread.sleep(500);
                int seq = 0;
                for (int round = 1; round <= rounds; round++) {
                    long[] start = new long[iterations];
                    long[] stop = new long[iterations];
                    long[] query = new long[iterations];
                    long[] seen = new long[iterations];
                    long maxRss = 0;
                    for (int i = 0; i < iterations; i++) {
                        String name = "lat" + (seq++);
                        Thread.sleep(100 + ThreadLocalRandom.current().nextInt(100));
                        Instant sent = Instant.now(); // issue 11: "PUT sent -> first packet in the file"
                        https.send("PUT", nw() + "/packetCaptures/" + name + V, body(name, 60)).expect(201);
                        waitRunning(name);
                        Thread.sleep(200);
                        maxRss = Math.max(maxRss, rssKiB()); // while it captures: its ring is mapped
                        Path stored = storedFile(name);
                        long q0 = System.nanoTime();
                        JsonNode running = followLro(https.send("POST", nw() + "/packetCaptures/" + name + "/queryStatus" + V, null)).expect(200).json();
                        query[i] = System.nanoTime() - q0;
                        if (!running.path("packetCaptureStatus").asText().equals("Running")) throw new IllegalStateException(name + ": " + running);
                        long t0 = System.nanoTime();
                        // 200 as the spec lists; 204 from controllers before issue 11 (kept so one harness measures both)
                        followLro(https.send("POST", nw() + "/packetCaptures/" + name + "/stop" + V, null)).expect(200, 204);
                        while (!followLro(https.send("POST", nw() + "/packetCaptures/" + name + "/queryStatus" + V, null)).expect(200).json()
                                .path("packetCaptureStatus").asText().equals("Stopped")) {
                            if (System.nanoTime() - t0 > Duration.ofSeconds(10).toNanos()) throw new IllegalStateException(name + ": not Stopped 10 s after stop");
                        }
                        seen[i] = System.nanoTime() - t0;
                        long deadline = t0 + Duration.ofSeconds(10).toNanos();
                        while (!Files.exists(stored) && System.nanoTime() < deadline) Thread.sleep(0, 500_000);
                        long t1 = System.nanoTime();
                        if (!Files.exists(stored)) throw new IllegalStateException(name + ": not in the storage account 10 s after stop: " + stored);
                        stop[i] = t1 - t0;
                        PcapFile f = PcapFile.read(stored, PAYLOAD);
                        if (f.packets() == 0) throw new IllegalStateException(name + ": empty file");
                        start[i] = f.firstNanos() - (sent.getEpochSecond() * 1_000_000_000L + sent.getNano());
                        maxRss = Math.max(maxRss, rssKiB()); // after the stop and the upload
                    }
                    Stats s = Stats.ofNanos(start), t = Stats.ofNanos(stop);
                    System.out.printf(Locale.ROOT, "latency round %d: start (PUT sent -> first packet timestamp in the file) %s%n", round, s);
                    System.out.printf(Locale.ROOT, "latency round %d: stop (POST stop sent -> file in the storage account) %s%n", round, t);
                    Stats qs = Stats.ofNanos(query), st = Stats.ofNanos(seen);
                    System.out.printf(Locale.ROOT, "latency round %d: queryStatus as a client sees it (POST sent -> final answer, LRO followed) %s%n", round, qs);
                    System.out.printf(Locale.ROOT, "latency round %d: stop as a client sees it (POST stop sent -> LRO done and queryStatus says Stopped) %s%n", round, st);
                    System.out.printf(Locale.ROOT, "latency round %d: RESULT queryStatus p50 %.1f ms (<= 20: %s); stop -> Stopped p50 %.1f ms (<= 300: %s)%n",
                            round, qs.p50Ms(), qs.p50Ms() <= 20 ? "met" : "MISSED", st.p50Ms(), st.p50Ms() <= 300 ? "met" : "MISSED");
                    System.out.printf(Locale.ROOT, "latency round %d: RESULT start p50 %.1f ms (<= 100: %s) p99 %.1f ms (<= 300: %s); stop p99 %.1f ms max %.1f ms (<= 500: %s); agent VmRSS max %d MiB (target <= 128: %s)%n",
                            round, s.p50Ms(), s.p50Ms() <= 100 ? "met" : "MISSED", s.p99Ms(), s.p99Ms() <= 300 ? "met" : "MISSED",
                            t.p99Ms(), t.maxMs(), t.maxMs() <= 500 ? "met" : "MISSED", maxRss >> 10, maxRss <= 128 * 1024 ? "met" : "MISSED");
                }
            } finally {
                stream.destroy();
                stream.waitFor();
                if (flood != null) {
                    flood.destroy();
                    flood.waitFor();
                }
            }
        }
    }

    /**
     * {@code -Dbench.ring=FILES:MB}: the throughput rounds capture with a ring of FILES files of MB million bytes
     * (agent: continuousCapture, captureSettings) against {@code tcpdump -C MB -W FILES}; null for one file each.
     */
    static int[] ring() {
        String v = System.getProperty("bench.ring", "").strip();
        if (v.isEmpty()) return null;
        String[] parts = v.split(":");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /**
     * The files of a ring in {@code dir} whose names start with {@code prefix}, read as one: packets and distinct
     * sequence numbers summed (each packet is written to one file only), the first file's first timestamp.
     */
    static PcapFile readAll(Path dir, String prefix, String what) throws java.io.IOException {
        long packets = 0, distinct = 0, max = 0, first = 0;
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList()) {
                PcapFile p = PcapFile.read(f, PAYLOAD);
                packets += p.packets();
                distinct += p.distinctSeq();
                max = Math.max(max, p.maxSeq());
                if (first == 0) first = p.firstNanos();
                n++;
            }
        }
        System.out.printf(Locale.ROOT, "  %d %s(s), %d packets%n", n, what, packets);
        return new PcapFile(packets, first, distinct, max);
    }

    static String agentOptsText() {
        return System.getProperty("bench.agentJavaOpts", "").strip();
    }

    static long num(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static long agentPid(LabHandle lab) throws Exception {
        long pid = lab.agentProcess("rcv").orElseThrow().pid();
        for (int depth = 0; depth < 4; depth++) {
            if (Files.readString(Path.of("/proc/" + pid + "/comm")).strip().equals("java")) return pid;
            List<ProcessHandle> kids = ProcessHandle.of(pid).orElseThrow().children().toList();
            if (kids.isEmpty()) break;
            pid = kids.getFirst().pid();
        }
        return pid;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Duration max, Check check, String what) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
