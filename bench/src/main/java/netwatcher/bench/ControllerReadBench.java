package netwatcher.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.controller.Controller;

/**
 * The controller's read path: an in-process controller on embedded H2 (run this JVM with
 * {@code -Xmx256m}) holding {@code captures} packet captures created through the ARM API, loaded by
 * {@code wrk} (separate process, HTTPS, keep-alive, Lua script for the Authorization header and random
 * names). Each round measures the reference {@code GET /healthz} (no auth, no database: the edge cost)
 * and then GET one packetCapture (with the given connections, then with 4), GET list of a watcher with 100 captures and GET list of the watcher
 * with all the others; heap used is sampled during each load and measured after a full GC.
 * Arguments: {@code [captures=10000] [seconds=10] [connections=32] [rounds=3]}.
 */
public final class ControllerReadBench {
    private ControllerReadBench() {}

    static final String V = SeededController.V;
    static final int SMALL = 100;

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        try (SeededController seeded = SeededController.start("nwbench")) {
            Controller controller = seeded.controller;
            Https https = seeded.https;
            String sub = seeded.sub;
            Path dir = seeded.dir;
            ProtocolAgent big = new ProtocolAgent(https, controller.adminToken(), sub, "bench", "vmbig", "westeurope");
            ProtocolAgent small = new ProtocolAgent(https, controller.adminToken(), sub, "bench", "vmsmall", "northeurope");
            String nwBig = seeded.watcher("westeurope");
            String nwSmall = seeded.watcher("northeurope");
            int bigCount = total - SMALL;
            long s0 = System.nanoTime();
            seeded.seedCaptures(total, i -> i < bigCount ? new SeededController.Capture(nwBig, String.format("pc%05d", i), big.vmId)
                    : new SeededController.Capture(nwSmall, String.format("small%03d", i - bigCount), small.vmId));
            System.out.printf(Locale.ROOT, "seeded %d captures (%d + %d) through the API in %.1f s; controller %s, data %s%n",
                    total, bigCount, SMALL, (System.nanoTime() - s0) / 1e9, controller.baseUrl(), dir);
            Thread.sleep(4000); // let the 2 s agent wait expire them all (no agent polls): the sweeper goes quiet
            String one = https.send("GET", nwBig + "/packetCaptures/pc00000" + V, null).expect(200).body();
            String listSmall = https.send("GET", nwSmall + "/packetCaptures" + V, null).expect(200).body();
            String listBig = https.send("GET", nwBig + "/packetCaptures" + V, null).expect(200).body();
            System.out.printf("response sizes: one %d B, list of %d %d B, list of %d %d B%n", one.length(), SMALL, listSmall.length(), bigCount, listBig.length());

            Path lua = dir.resolve("bench.lua");
            Files.writeString(lua, """
                    local counter = 0
                    function setup(thread) counter = counter + 1; thread:set("id", counter) end
                    function init(args) math.randomseed(os.time() * 100 + id); prefix = args[1]; n = tonumber(args[2]) end
                    wrk.headers["Authorization"] = "Bearer %s"
                    request = function()
                      if n == 0 then return wrk.format("GET", prefix) end
                      return wrk.format("GET", string.format(prefix, math.random(0, n - 1)))
                    end
                    """.formatted(controller.adminToken()));
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.out.printf(Locale.ROOT, "max heap %d MiB; wrk -t2 -c%d -d%ds%n", Runtime.getRuntime().maxMemory() >> 20, connections, seconds);
            String base = controller.baseUrl();
            WrkRunner wrk = new WrkRunner(lua, seconds, mem);
            for (int round = 1; round <= rounds; round++) {
                Wrk ref = wrk.run(base + "/healthz", "/healthz", 0, connections);
                Wrk get = wrk.run(base + nwBig, nwBig + "/packetCaptures/pc%05d" + V, bigCount, connections);
                Wrk getLow = wrk.run(base + nwBig, nwBig + "/packetCaptures/pc%05d" + V, bigCount, 4);
                Wrk ls = wrk.run(base + nwSmall, nwSmall + "/packetCaptures" + V, 0, connections);
                Wrk lb = wrk.run(base + nwBig, nwBig + "/packetCaptures" + V, 0, Math.min(4, connections));
                System.gc();
                long afterGc = mem.getHeapMemoryUsage().getUsed();
                report(round, "reference GET /healthz", ref, ref);
                report(round, "GET one packetCapture (random of " + bigCount + ")", get, ref);
                report(round, "GET one packetCapture, 4 connections", getLow, ref);
                report(round, "GET list (" + SMALL + " captures)", ls, ref);
                report(round, "GET list (" + bigCount + " captures, " + Math.min(4, connections) + " connections)", lb, ref);
                System.out.printf(Locale.ROOT, "round %d: heap used after full GC %.1f MiB (max during loads %.1f MiB, -Xmx %d MiB)%n",
                        round, afterGc / 1048576.0, max(ref, get, getLow, ls, lb) / 1048576.0, Runtime.getRuntime().maxMemory() >> 20);
                System.out.printf(Locale.ROOT, "round %d: RESULT GET one %.0f/s (target >= 5000: %s), p99 %.2f ms (target < 20: %s), heap after GC %.1f MiB (target < 256: %s)%n",
                        round, get.rps, get.rps >= 5000 ? "met" : "MISSED", get.p99Ms, get.p99Ms < 20 ? "met" : "MISSED",
                        afterGc / 1048576.0, afterGc < 256L << 20 ? "met" : "MISSED");
            }
        }
    }

    static long max(Wrk... ws) {
        long m = 0;
        for (Wrk w : ws) m = Math.max(m, w.maxHeap);
        return m;
    }

    static void report(int round, String what, Wrk w, Wrk ref) {
        System.out.printf(Locale.ROOT, "round %d: %-52s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  ratio to healthz %.2f%n",
                round, what, w.rps, w.p50Ms, w.p99Ms, w.errors, w.rps / ref.rps);
    }

    /** One wrk run's figures. */
    record Wrk(double rps, double p50Ms, double p99Ms, long errors, long maxHeap) {}

    /**
     * Runs wrk with one request script for a fixed time while sampling this JVM's heap.
     *
     * @param lua     the request script: GET of {@code pathPattern} formatted with a random number below {@code n} (0: as is)
     * @param seconds how long each run lasts
     * @param mem     where the heap is sampled (the controller runs in this JVM)
     */
    record WrkRunner(Path lua, int seconds, MemoryMXBean mem) {
        Wrk run(String url, String pathPattern, int n, int connections) throws Exception {
            Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--timeout", "5s", "--latency",
                    "-s", lua.toString(), url, "--", pathPattern, Integer.toString(n)).redirectErrorStream(true).start();
            AtomicLong maxHeap = new AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (p.isAlive()) {
                    maxHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException("wrk failed: " + out);
            sampler.join();
            double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
            double p50 = ms(find(out, "\\s50%\\s+([0-9.]+\\w+)"));
            double p99 = ms(find(out, "\\s99%\\s+([0-9.]+\\w+)"));
            long errors = 0;
            Matcher m = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
            if (m.find()) errors += Long.parseLong(m.group(1));
            m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
            if (m.find()) for (int i = 1; i <= 4; i++) errors += Long.parseLong(m.group(i));
            return new Wrk(rps, p50, p99, errors, maxHeap.get());
        }
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) throw new IllegalStateException("no " + regex + " in wrk output:\n" + text);
        return m.group(1);
    }

    static double ms(String v) {
        if (v.endsWith("us")) return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
        if (v.endsWith("ms")) return Double.parseDouble(v.substring(0, v.length() - 2));
        if (v.endsWith("m")) return Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000;
        if (v.endsWith("s")) return Double.parseDouble(v.substring(0, v.length() - 1)) * 1000;
        throw new IllegalArgumentException(v);
    }
}
