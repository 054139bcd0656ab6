package netwatcher.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.model.agent.CaptureOrder;

/**
 * What running captures' counter reports cost the controller, per report interval: an in-process controller on
 * embedded H2 with {@code agents} protocol agents (no capturing), each holding {@code perAgent} running captures
 * (created through the ARM API, taken from the agent's orders, reported Running), then for each interval a steady
 * window in which every agent posts one batch of its captures' counters per interval (as the real agent's
 * {@code ReportPump} does: one POST with every running capture), the agents' phases spread evenly. Measures the
 * controller's CPU time over the window (the process's CPU minus the CPU of the senders' threads and the HTTP client's
 * own threads; each agent's order long-poll runs on a virtual thread whose small CPU stays counted as the
 * controller's, the same at both intervals) and the reports' round trips. Idle agents (no running capture) send no counter reports at any interval,
 * so this is the only cost the interval changes. Arguments: {@code [agents=100] [perAgent=10] [windowSeconds=30]
 * [intervalsMillis=2000,1000]}.
 */
public final class ReportCostBench {
    private ReportCostBench() {}

    static final String V = "?api-version=2025-05-01";

    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int perAgent = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        List<Long> intervals = new ArrayList<>();
        for (String s : (args.length > 3 ? args[3] : "2000,1000").split(",")) intervals.add(Long.parseLong(s.trim()));
        Path dir = Files.createTempDirectory("nwbench-reports");
        ControllerConfig config = ControllerConfig.load(dir, 0).withAgentWait(Duration.ofMinutes(30));
        try (Controller controller = Controller.start(config, Clock.systemUTC())) {
            Https https = new Https(controller.baseUrl(), controller.caFile(), controller.adminToken());
            String sub = controller.defaultSubscription().id();
            ProtocolAgent[] fleet = new ProtocolAgent[agents];
            SeededController.parallel(agents, i -> fleet[i] = new ProtocolAgent(https, controller.adminToken(), sub, "reports",
                    String.format("rvm%04d", i), "westeurope"));
            String watcher = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            SeededController.parallel(agents * perAgent, i -> https.send("PUT", watcher + "/packetCaptures/" + String.format("rc%05d", i) + V,
                    OrderLatencyBench.body(fleet[i % agents].vmId)).expect(201));
            List<List<String>> keys = new ArrayList<>();
            for (int i = 0; i < agents; i++) keys.add(null);
            Instant started = Instant.now();
            SeededController.parallel(agents, i -> {
                List<String> mine = fleet[i].orders(0, 0).captures().stream().map(CaptureOrder::key).toList();
                fleet[i].reportRunning(mine, started, 0);
                keys.set(i, mine);
            });
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            for (ProtocolAgent agent : fleet) {
                Thread.ofVirtual().name("bench-poll").start(() -> {
                    long generation = 0;
                    while (!done.get()) {
                        try {
                            generation = agent.orders(generation, 5).generation();
                        } catch (Exception e) {
                            if (done.get()) return;
                        }
                    }
                });
            }
            long running = keys.stream().mapToLong(List::size).sum();
            System.out.printf(Locale.ROOT, "%d agents, %d running captures (%d per agent), window %d s, %d CPUs, load before %s%n",
                    agents, running, perAgent, window, Runtime.getRuntime().availableProcessors(), load());
            System.out.println("interval_ms  reports/s  posts/s  controller_cpu_s  controller_cpu_%  cpu_ms_per_1000_reports  post_p50_ms  post_p99_ms  failures");
            for (long interval : intervals) {
                run(fleet, keys, started, interval, window / 3); // warm-up at this interval
                run(fleet, keys, started, interval, window);
            }
            System.out.printf(Locale.ROOT, "load after %s%n", load());
            done.set(true);
        } finally {
            SeededController.deleteTree(dir);
        }
    }

    private static void run(ProtocolAgent[] fleet, List<List<String>> keys, Instant started, long interval, int seconds) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Set<Long> senders = ConcurrentHashMap.newKeySet();
        AtomicLong packets = new AtomicLong();
        List<Long> rtts = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong reports = new AtomicLong();
        AtomicLong posts = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < fleet.length; i++) {
            int a = i;
            // one platform thread per agent, as each real agent has its own report thread (and the CPU of a platform
            // thread is measurable, so the bench's side can be taken off the process's CPU)
            Thread sender = new Thread(() -> {
                long next = t0 + interval * 1_000_000L * a / fleet.length;
                while (true) {
                    long wait = next - System.nanoTime();
                    if (next >= end) return;
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    try {
                        long s = System.nanoTime();
                        fleet[a].reportRunning(keys.get(a), started, packets.incrementAndGet());
                        rtts.add(System.nanoTime() - s);
                        reports.addAndGet(keys.get(a).size());
                        posts.incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                    next += interval * 1_000_000L;
                }
            }, "bench-sender-" + a);
            senders.add(sender.threadId());
            all.add(sender);
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long client0 = clientCpu(threads, senders);
        for (Thread t : all) t.start();
        Thread.sleep(seconds * 1000L);
        long client1 = clientCpu(threads, senders); // while the threads live: a dead thread's CPU is no longer readable
        long cpu1 = os.getProcessCpuTime();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        for (Thread t : all) t.join(30_000);
        double controllerCpu = ((cpu1 - cpu0) - (client1 - client0)) / 1e9;
        List<Long> sorted;
        synchronized (rtts) {
            sorted = new ArrayList<>(rtts);
        }
        sorted.sort(null);
        System.out.printf(Locale.ROOT, "%11d  %9.0f  %7.0f  %16.2f  %15.1f  %23.1f  %11.1f  %11.1f  %8d%n", interval, reports.get() / elapsed,
                posts.get() / elapsed, controllerCpu, 100 * controllerCpu / elapsed, 1000 * 1000 * controllerCpu / Math.max(1, reports.get()),
                pct(sorted, 0.5), pct(sorted, 0.99), failures.get());
    }

    /** CPU of the bench's own side: the sender threads and the JDK HTTP client's threads. */
    private static long clientCpu(ThreadMXBean threads, Set<Long> senders) {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) continue;
            if (senders.contains(info.getThreadId()) || info.getThreadName().startsWith("HttpClient")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t > 0) sum += t;
            }
        }
        return sum;
    }

    private static double pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return Double.NaN;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size()))) / 1e6;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
