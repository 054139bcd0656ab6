package netwatcher.bench;

import netwatcher.controller.ControllerChild;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.time.Duration;
import netwatcher.agent.control.Backoff;
import netwatcher.agent.control.ControllerException;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.Orders;
import netwatcher.pki.CertificateAuthority;
import netwatcher.testing.postgres.PostgresServer;

/**
 * Many simulated protocol agents on N controller processes and one PostgreSQL server, all on this machine
 * (loopback only): each agent enrolls, registers its host, long-polls its orders and reports every capture
 * it receives as finished, on a virtual thread, through one shared HTTP/1.1 client per controller (as a
 * balancer would spread them, agent i talks to controller i mod N). Over a steady window it measures order
 * delivery (PUT through a random controller, 201 received → the order in the agent's answer), API GET latency,
 * PostgreSQL transactions and tuples per agent per second ({@code pg_stat_database}), and the CPU and RSS of
 * every controller, of PostgreSQL and of this harness ({@code /proc}). With three controllers it then kills
 * one with SIGKILL and measures the reconnect storm: time until no agent row names the dead controller
 * (every one of its agents holds a long-poll elsewhere), errors the agents saw, peak database connections.
 * Arguments: {@code [agents=10000] [controllers=3] [steadySeconds=60] [poolSize=20] [enrollMinutes=15]}; agents
 * not enrolled within enrollMinutes give up and the figures are for those enrolled (the output says so). With
 * {@code -Dnw.bench.statements=true} a second idle-polling window logs every statement in PostgreSQL and prints them
 * by text, rate and server time ({@link StatementProfile}). Bounded: it gives up
 * after fixed times and stops everything it started.
 */
public final class ClusterScaleBench {
    private static final String V = "?api-version=2025-05-01";
    private static volatile boolean stop;
    /** Set when the enrollment time is up: agents not enrolled by then give up, the rest is measured. */
    private static volatile boolean enrollClosed;

    private ClusterScaleBench() {}

    record Node(Process process, String baseUrl, String id, String sub, Path caFile) {}

    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int steadySeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int poolSize = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int enrollMinutes = args.length > 4 ? Integer.parseInt(args[4]) : 15;
        Path root = Files.createTempDirectory("nwscale");
        List<Node> nodes = new ArrayList<>();
        PostgresServer pg = PostgresServer.start();
        try {
            String url = pg.createDatabase();
            CertificateAuthority.loadOrCreate(root.resolve("ca"), "scale bench CA");
            for (int i = 0; i < n; i++) {
                Path dir = root.resolve("nw" + i);
                Files.createDirectories(dir.resolve("tls"));
                for (String f : List.of(CertificateAuthority.CERTIFICATE_FILE, CertificateAuthority.KEY_FILE)) {
                    Files.copy(root.resolve("ca").resolve(f), dir.resolve("tls").resolve(f));
                }
                Files.writeString(dir.resolve("controller.properties"), "database.url=" + url + "\ndatabase.user=" + pg.user()
                        + "\ndatabase.password=" + pg.password() + "\ndatabase.poolSize=" + poolSize + "\n");
                nodes.add(start(dir, root.resolve("nw" + i + ".log")));
            }
            String token = Files.readString(root.resolve("nw0").resolve("admin.token")).strip();
            Https[] https = new Https[n];
            for (int i = 0; i < n; i++) https[i] = new Https(nodes.get(i).baseUrl(), nodes.get(i).caFile(), token);
            String sub = nodes.get(0).sub();
            System.out.printf(Locale.ROOT, "%d agents on %d controller process(es), pool %d each, PostgreSQL %s, steady window %d s%n",
                    agents, n, poolSize, pg, steadySeconds);

            // enroll and start polling; agent i talks to controller i mod n
            ProtocolAgent[] sim = new ProtocolAgent[agents];
            int[] at = new int[agents];
            Map<String, Long> arrivals = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> errors = new ConcurrentSkipListMap<>();
            AtomicLong polls = new AtomicLong();
            boolean[] dead = new boolean[n];
            Semaphore enrolling = new Semaphore(32);
            AtomicInteger enrolled = new AtomicInteger();
            long[] tcpEnroll = tcpCounters();
            long e0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                int a = i;
                at[a] = a % n;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        enrolling.acquire();
                        try {
                            if (enrollClosed) return;
                            for (int attempt = 1; sim[a] == null; attempt++) {
                                try {
                                    sim[a] = new ProtocolAgent(https[at[a]], token, sub, "bench", "vm" + a, "westeurope");
                                } catch (Exception e) {
                                    count(errors, "enroll " + describe(e));
                                    if (attempt >= 10 || stop || enrollClosed) return;
                                    Thread.sleep(500L * attempt);
                                }
                            }
                        } finally {
                            enrolling.release();
                        }
                        enrolled.incrementAndGet();
                        poll(new Fleet(sim, at, https, dead), a, new Tally(arrivals, errors, polls));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            while (enrolled.get() < agents && System.nanoTime() - e0 < TimeUnit.MINUTES.toNanos(enrollMinutes)) {
                Thread.sleep(1000);
                long s = (System.nanoTime() - e0) / 1_000_000_000L;
                if (s % 15 == 0) System.out.printf(Locale.ROOT, "  %d s: %d enrolled, errors %s%n", s, enrolled.get(), errors);
            }
            double enrollSeconds = (System.nanoTime() - e0) / 1e9;
            System.out.printf(Locale.ROOT, "enrolled %d of %d in %.1f s (%.0f/s); errors so far %s%n", enrolled.get(), agents,
                    enrollSeconds, enrolled.get() / enrollSeconds, errors);
            long[] tcpEnrolled = tcpCounters();
            System.out.printf(Locale.ROOT, "during enrollment: TCP listen queue overflows %d, listen drops %d, SYN cookies sent %d%n",
                    tcpEnrolled[0] - tcpEnroll[0], tcpEnrolled[1] - tcpEnroll[1], tcpEnrolled[2] - tcpEnroll[2]);
            enrollClosed = true;
            if (enrolled.get() < agents) {
                System.out.printf(Locale.ROOT, "ENROLLMENT TIME UP after %d min: measuring the %d agents enrolled, not %d%n", enrollMinutes,
                        enrolled.get(), agents);
                Thread.sleep(3000);
                agents = enrolled.get();
            }
            Thread.sleep(20_000); // every agent's first long-poll is parked, the enrollment burst is over
            errors.clear();
            List<String> urls = nodes.stream().map(Node::baseUrl).toList();
            Probe probe = new Probe(nodes.get(0).caFile(), token, "/subscriptions/" + sub
                    + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope" + V, urls);
            idleGets(https, sub, errors, probe);

            // steady window
            long pm = postmasterPid(pg);
            try (Connection db = DriverManager.getConnection(url, pg.user(), pg.password())) {
                double[] dbBefore = dbCounters(db);
                ProcStat[] before = procs(nodes, pm);
                long pollsBefore = polls.get();
                long w0 = System.nanoTime();
                List<Long> delivery = new ArrayList<>();
                List<Long> gets = java.util.Collections.synchronizedList(new ArrayList<>());
                var probed = probe.start(steadySeconds - 2);
                Thread getter = Thread.ofPlatform().daemon().start(() -> {
                    String nw = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
                    for (int k = 0; !stop && !Thread.currentThread().isInterrupted(); k++) {
                        try {
                            Thread.sleep(40 + ThreadLocalRandom.current().nextInt(20));
                            long t = System.nanoTime();
                            https[k % n].send("GET", nw + V, null).expect(200);
                            gets.add(System.nanoTime() - t);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            count(errors, "api GET " + describe(e));
                        }
                    }
                });
                String nw = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
                int lost = 0;
                for (int k = 0; System.nanoTime() - w0 < TimeUnit.SECONDS.toNanos(steadySeconds); k++) {
                    Thread.sleep(150 + ThreadLocalRandom.current().nextInt(100));
                    int a;
                    do a = ThreadLocalRandom.current().nextInt(sim.length); while (sim[a] == null);
                    String name = "o" + k;
                    try {
                        https[ThreadLocalRandom.current().nextInt(n)].send("PUT", nw + "/packetCaptures/" + name + V,
                                OrderLatencyBench.body(sim[a].vmId)).expect(201);
                    } catch (Exception e) {
                        count(errors, "order PUT " + describe(e));
                        continue;
                    }
                    long t1 = System.nanoTime();
                    Long arrived = null;
                    while ((arrived = arrivals.get(name)) == null && System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(5)) Thread.sleep(1);
                    if (arrived == null) lost++;
                    else delivery.add(Math.max(0, arrived - t1));
                }
                getter.interrupt();
                double window = (System.nanoTime() - w0) / 1e9;
                ProcStat[] after = procs(nodes, pm);
                double[] dbAfter = dbCounters(db);
                Stats d = Stats.ofNanos(delivery.stream().mapToLong(Long::longValue).toArray());
                Stats g;
                synchronized (gets) {
                    g = Stats.ofNanos(gets.stream().mapToLong(Long::longValue).toArray());
                }
                System.out.printf(Locale.ROOT, "steady window %.1f s, %d long-poll answers (%.0f/s); load %s%n", window, polls.get() - pollsBefore,
                        (polls.get() - pollsBefore) / window, loadAverage());
                System.out.printf(Locale.ROOT, "RESULT order delivery (201 received -> order): %s; not delivered within 5 s: %d (target p99 < 1 s: %s)%n",
                        d, lost, d.p99Ms() < 1000 && lost == 0 ? "met" : "MISSED");
                probe.print("while they poll, with orders", probed);
                System.out.printf(Locale.ROOT, "API GET networkWatcher while they poll, through the agents' shared client: %s%n", g);
                String[] names = {"transactions", "tuples returned", "tuples fetched", "tuples written"};
                for (int k = 0; k < names.length; k++) {
                    double rate = (dbAfter[k] - dbBefore[k]) / window;
                    System.out.printf(Locale.ROOT, "RESULT database %s: %.0f/s, %.3f per agent per second%n", names[k], rate, rate / agents);
                }
                double ctrlCpu = 0, ctrlRss = 0;
                for (int i = 0; i < n; i++) {
                    double cpu = (after[i].cpuSeconds() - before[i].cpuSeconds()) / window * 100;
                    ctrlCpu += cpu;
                    ctrlRss += after[i].rssMiB();
                    System.out.printf(Locale.ROOT, "controller %d: CPU %.1f%% of one core, RSS %.0f MiB%n", i, cpu, after[i].rssMiB());
                }
                double pgCpu = (after[n].cpuSeconds() - before[n].cpuSeconds()) / window * 100;
                double selfCpu = (after[n + 1].cpuSeconds() - before[n + 1].cpuSeconds()) / window * 100;
                double k = agents / 1000.0;
                System.out.printf(Locale.ROOT, "RESULT controllers together: CPU %.1f%% of one core (%.1f%% per 1,000 agents), RSS %.0f MiB (%.0f MiB per 1,000 agents)%n",
                        ctrlCpu, ctrlCpu / k, ctrlRss, ctrlRss / k);
                System.out.printf(Locale.ROOT, "RESULT PostgreSQL: CPU %.1f%% of one core; this harness (all agents, orders, GETs): CPU %.1f%%, RSS %.0f MiB; machine total %.0f%% of %d cores%n",
                        pgCpu, selfCpu, after[n + 1].rssMiB(), ctrlCpu + pgCpu + selfCpu, Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "errors in the steady window: %s%n", errors);
                if (Boolean.getBoolean("nw.bench.statements")) { // a second idle-polling window, every statement logged
                    Thread.sleep(16_000); // the steady window's orders answered, their polls parked again
                    StatementProfile profile = StatementProfile.begin(db, pg);
                    idleGets(https, sub, errors, probe);
                    profile.end(db, agents);
                }

                if (n >= 2 && !"false".equals(System.getProperty("nw.bench.storm"))) storm(nodes, dead, db, errors, agents, polls);
            }
        } finally {
            stop = true;
            for (Node node : nodes) node.process().destroy();
            for (Node node : nodes) {
                if (!node.process().waitFor(20, TimeUnit.SECONDS)) node.process().destroyForcibly().waitFor();
            }
            pg.close();
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0); // the agents' threads are parked in long-polls of controllers that are gone
    }

    private static void storm(List<Node> nodes, boolean[] dead, Connection db, Map<String, AtomicInteger> errors, int agents,
                              AtomicLong polls) throws Exception {
        int victim = nodes.size() - 1;
        String id = nodes.get(victim).id();
        // revoked rows are no agent's: a retried enrollment whose first try had committed revokes the first
        // credential, whose row keeps naming the controller that issued it and never moves
        int revokedRows = count(db, "SELECT count(*) FROM nw_agent WHERE revoked AND controller_id = '" + id + "'");
        int held = count(db, "SELECT count(*) FROM nw_agent WHERE NOT revoked AND controller_id = '" + id + "'");
        String jfrDir = System.getProperty("nw.bench.stormJfr");
        List<Long> profiled = new ArrayList<>();
        if (jfrDir != null) { // where the survivors' (and this harness's) CPU goes during the storm
            for (int i = 0; i < nodes.size(); i++) if (i != victim) profiled.add(nodes.get(i).process().pid());
            profiled.add(ProcessHandle.current().pid());
            for (long pid : profiled) jcmd(pid, "JFR.start", "name=storm", "settings=profile", "filename=" + jfrDir + "/storm-" + pid + ".jfr");
        }
        ProcStat[] before = procs(nodes, -1);
        long[] tcpBefore = tcpCounters();
        errors.clear();
        long t0 = System.nanoTime();
        nodes.get(victim).process().destroyForcibly(); // SIGKILL
        dead[victim] = true;
        int peakConnections = 0, left = held;
        double[] marks = {0.5, 0.9, 0.99, 1.0};
        long[] reached = new long[marks.length];
        java.util.Arrays.fill(reached, -1);
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(90)) {
            peakConnections = Math.max(peakConnections, count(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"));
            left = count(db, "SELECT count(*) FROM nw_agent WHERE NOT revoked AND controller_id = '" + id + "'");
            for (int k = 0; k < marks.length; k++) {
                if (reached[k] < 0 && held - left >= Math.ceil(marks[k] * held)) reached[k] = System.nanoTime() - t0;
            }
            if (left == 0) break;
            Thread.sleep(100);
        }
        long stormNanos = System.nanoTime() - t0;
        ProcStat[] after = procs(nodes, -1);
        long[] tcpAfter = tcpCounters();
        if (jfrDir != null) for (long pid : profiled) jcmd(pid, "JFR.stop", "name=storm");
        if (left > 0) { // for the diagnosis: who stayed, and what their rows say
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT vm_key, revoked, last_seen_at, lease_until"
                    + " FROM nw_agent WHERE NOT revoked AND controller_id = '" + id + "' LIMIT 10")) {
                while (r.next()) System.out.printf("  still on the dead controller: vm %s revoked %s last seen %s lease until %s%n",
                        r.getString(1), r.getBoolean(2), r.getString(3), r.getString(4));
            }
        }
        StringBuilder times = new StringBuilder();
        for (int k = 0; k < marks.length; k++) {
            times.append(String.format(Locale.ROOT, "%s%.0f%% %s", k == 0 ? "" : ", ", marks[k] * 100,
                    reached[k] < 0 ? "not within 90 s" : String.format(Locale.ROOT, "%.2f s", reached[k] / 1e9)));
        }
        StringBuilder cpu = new StringBuilder();
        double window = stormNanos / 1e9;
        for (int i = 0; i < nodes.size(); i++) {
            if (i == victim) continue;
            cpu.append(String.format(Locale.ROOT, "controller %d %.0f%%, ", i, (after[i].cpuSeconds() - before[i].cpuSeconds()) / window * 100));
        }
        cpu.append(String.format(Locale.ROOT, "this harness %.0f%%", (after[nodes.size() + 1].cpuSeconds() - before[nodes.size() + 1].cpuSeconds()) / window * 100));
        String stormLoad = loadAverage();
        Thread.sleep(5000); // errors right after
        System.out.printf(Locale.ROOT, "RESULT reconnect storm: controller %d killed with SIGKILL holding %d agents (and %d revoked credentials' rows, not counted); %s; peak database connections %d; errors the agents saw: %s%n",
                victim, held, revokedRows, left > 0 ? left + " still named it after 90 s" : "all polling another controller", peakConnections, errors);
        System.out.printf(Locale.ROOT, "RESULT storm: its agents polling another controller: %s; CPU over those %.1f s (of one core): %s;"
                + " TCP listen queue overflows %d, listen drops %d, SYN cookies sent %d (loopback's namespace, whole machine); load at its end %s%n",
                times, window, cpu, tcpAfter[0] - tcpBefore[0], tcpAfter[1] - tcpBefore[1], tcpAfter[2] - tcpBefore[2], stormLoad);
    }

    /**
     * API GETs while the fleet only idle-polls (no orders): 20 s of {@code GET networkWatcher} every 40–60 ms round
     * robin, each followed by a {@code GET /healthz} to the same controller, the reference that does no work: a
     * GET's tail that {@code /healthz} shares is time spent waiting for a CPU, not in the GET's own work.
     */
    private static void idleGets(Https[] https, String sub, Map<String, AtomicInteger> errors, Probe probe) throws InterruptedException {
        var probed = probe.start(18);
        String nw = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        List<Long> gets = new ArrayList<>(), health = new ArrayList<>();
        long w0 = System.nanoTime();
        for (int k = 0; System.nanoTime() - w0 < TimeUnit.SECONDS.toNanos(20); k++) {
            Thread.sleep(40 + ThreadLocalRandom.current().nextInt(20));
            try {
                long t = System.nanoTime();
                https[k % https.length].send("GET", nw + V, null).expect(200);
                long t2 = System.nanoTime();
                https[k % https.length].send("GET", "/healthz", null, null).expect(200);
                gets.add(t2 - t);
                health.add(System.nanoTime() - t2);
            } catch (java.io.IOException | RuntimeException e) {
                count(errors, "idle GET " + describe(e));
            }
        }
        if (gets.isEmpty()) {
            System.out.printf(Locale.ROOT, "RESULT API GET networkWatcher with the fleet idle-polling (no orders): none answered in 20 s; errors %s; load %s%n",
                    errors, loadAverage());
        } else {
            Stats g = Stats.ofNanos(gets.stream().mapToLong(Long::longValue).toArray());
            Stats h = Stats.ofNanos(health.stream().mapToLong(Long::longValue).toArray());
            System.out.printf(Locale.ROOT, "API GET networkWatcher with the fleet idle-polling, through the agents' shared client: %s; GET /healthz right after each: %s; errors %s; load %s%n",
                    g, h, errors, loadAverage());
        }
        probe.print("with the fleet idle-polling (no orders)", probed);
        errors.clear();
    }

    /**
     * The API GET target's measurement: an {@link ApiProbe} process of its own, the way a user's tool reaches the
     * controllers (its own client and connections), started in the background for a window.
     */
    private record Probe(Path ca, String token, String path, List<String> urls) {
        java.util.concurrent.CompletableFuture<ApiProbe.Result> start(int seconds) {
            var f = new java.util.concurrent.CompletableFuture<ApiProbe.Result>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    f.complete(ApiProbe.run(seconds, ca, token, path, urls));
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
            return f;
        }

        void print(String when, java.util.concurrent.CompletableFuture<ApiProbe.Result> probed) throws InterruptedException {
            try {
                ApiProbe.Result r = probed.get(2, TimeUnit.MINUTES);
                System.out.printf(Locale.ROOT, "RESULT API GET networkWatcher %s, from a client process of its own: %s (target p99 < 50 ms: %s);"
                        + " GET /healthz right after each: %s; errors %s; load %s%n", when, r.gets(), r.gets().p99Ms() < 50 ? "met" : "MISSED",
                        r.health(), r.errors(), loadAverage());
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                System.out.printf(Locale.ROOT, "RESULT API GET networkWatcher %s, from a client process of its own: probe failed: %s%n", when, e);
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** TcpExt ListenOverflows, ListenDrops and SyncookiesSent of this network namespace ({@code /proc/net/netstat}). */
    private static long[] tcpCounters() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (!lines.get(i).startsWith("TcpExt:")) continue;
                List<String> names = List.of(lines.get(i).split(" "));
                String[] values = lines.get(i + 1).split(" ");
                String[] wanted = {"ListenOverflows", "ListenDrops", "SyncookiesSent"};
                long[] out = new long[wanted.length];
                for (int k = 0; k < wanted.length; k++) out[k] = Long.parseLong(values[names.indexOf(wanted[k])]);
                return out;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no counters
        }
        return new long[3];
    }

    private static void jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (java.io.IOException e) {
            System.out.println("jcmd " + pid + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The simulated agents, the controller each talks to now, the controllers' clients and which are dead. */
    record Fleet(ProtocolAgent[] sim, int[] at, Https[] https, boolean[] dead) {}

    /** What the agents observe: order arrival times by capture name, errors by kind, long-poll answers. */
    record Tally(Map<String, Long> arrivals, Map<String, AtomicInteger> errors, AtomicLong polls) {}

    private static void poll(Fleet fleet, int a, Tally tally) {
        ProtocolAgent[] sim = fleet.sim();
        int[] at = fleet.at();
        Https[] https = fleet.https();
        boolean[] dead = fleet.dead();
        Map<String, Long> arrivals = tally.arrivals();
        Map<String, AtomicInteger> errors = tally.errors();
        AtomicLong polls = tally.polls();
        long gen = -1;
        // the real agent's reconnect policy (agent.control.Backoff with Agent.Tuning.DEFAULT's 200 ms .. 10 s):
        // the bench measures the product's behaviour, not a policy of its own
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), ThreadLocalRandom.current());
        int busyInARow = 0;
        while (!stop) {
            try {
                Orders o = sim[a].orders(gen, 25);
                polls.incrementAndGet();
                gen = o.generation();
                backoff.reset();
                busyInARow = 0;
                for (CaptureOrder c : o.captures()) {
                    String name = c.captureId().substring(c.captureId().lastIndexOf('/') + 1);
                    if (c.run() && arrivals.putIfAbsent(name, System.nanoTime()) == null) sim[a].reportFinished(c.key());
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (stop) return;
                count(errors, describe(e));
                RuntimeException failure = e instanceof ControllerException ce ? ce : new ControllerException(0, null, e.toString(), e);
                try {
                    Thread.sleep(backoff.nextDelay(failure));
                } catch (InterruptedException ie) {
                    return;
                }
                // as the real agent with a list of controllers (ControllerEndpoints): a controller gone, or one
                // answering 502/504, sends the next attempt to the next controller; a controller's "busy, come
                // back" (503 with Retry-After) does so the second time in a row
                ControllerException f = (ControllerException) failure;
                boolean move = f.busy() ? ++busyInARow >= 2 : f.controllerUnavailable();
                if (move) {
                    busyInARow = 0;
                    int next = (at[a] + 1) % https.length;
                    while (dead[next] && next != at[a]) next = (next + 1) % https.length;
                    at[a] = next;
                    sim[a] = sim[a].via(https[next]);
                }
            }
        }
    }

    private static String describe(Exception e) {
        if (e instanceof ControllerException ce && ce.status() != 0) return "HTTP " + ce.status();
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof IllegalStateException && m.startsWith("HTTP ")) return m.substring(0, Math.min(8, m.length()));
        return e.getClass().getSimpleName();
    }

    private static void count(Map<String, AtomicInteger> errors, String key) {
        errors.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private static int count(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    private static double[] dbCounters(Connection db) throws Exception {
        Thread.sleep(1100); // PostgreSQL 15 flushes backends' statistics at most once a second
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT xact_commit + xact_rollback, tup_returned, tup_fetched,"
                + " tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = current_database()")) {
            r.next();
            return new double[] {r.getDouble(1), r.getDouble(2), r.getDouble(3), r.getDouble(4)};
        }
    }

    /** The controllers, then PostgreSQL (postmaster and every backend), then this process. */
    private static ProcStat[] procs(List<Node> nodes, long postmaster) {
        ProcStat[] out = new ProcStat[nodes.size() + 2];
        for (int i = 0; i < nodes.size(); i++) out[i] = ProcStat.of(nodes.get(i).process().pid());
        if (postmaster < 0) {
            out[nodes.size()] = new ProcStat(0, 0);
            out[nodes.size() + 1] = ProcStat.of(ProcessHandle.current().pid());
            return out;
        }
        double cpu = ProcStat.of(postmaster).cpuSeconds(), rss = 0;
        for (ProcessHandle h : ProcessHandle.of(postmaster).map(p -> p.descendants().toList()).orElse(List.of())) {
            ProcStat s = ProcStat.of(h.pid());
            if (!Double.isNaN(s.cpuSeconds())) cpu += s.cpuSeconds();
        }
        out[nodes.size()] = new ProcStat(cpu, rss);
        out[nodes.size() + 1] = ProcStat.of(ProcessHandle.current().pid());
        return out;
    }

    private static long postmasterPid(PostgresServer pg) throws Exception {
        try (var files = Files.walk(pg.directory(), 3)) {
            Path pidFile = files.filter(p -> p.getFileName().toString().equals("postmaster.pid")).findFirst().orElseThrow();
            return Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
        }
    }

    private static Node start(Path dir, Path log) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + System.getProperty("nw.bench.controllerHeap", "1g"),
                "-Dnw.log.levels=root=WARN", "--enable-native-access=ALL-UNNAMED"));
        String extra = System.getProperty("nw.bench.controllerJvm", "").strip();
        if (!extra.isEmpty()) jvm.addAll(List.of(extra.split("\\s+")));
        ControllerChild.Started s = ControllerChild.start(dir, jvm, System.getProperty("java.class.path"), log);
        return new Node(s.process(), s.baseUrl(), s.controllerId(), s.subscription(), s.caFile());
    }
}
