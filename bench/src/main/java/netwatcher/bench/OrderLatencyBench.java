package netwatcher.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.Orders;
import netwatcher.testing.postgres.PostgresServer;

/**
 * Agent order delivery: PUT packetCapture accepted (201 received) → the order in the answer of a
 * long-polling protocol-level agent, on loopback, against an in-process controller on embedded H2.
 * Reference in the same process: the round trip of {@code GET /healthz} on the same client.
 * Arguments: {@code [iterations=250] [rounds=3] [controllers=1]}. With {@code controllers=2}: two in-process
 * controllers on one PostgreSQL server of the bench's own (cluster mode), the agent long-polling the first, the
 * PUTs sent to the second, so an order crosses through the database and its {@code LISTEN/NOTIFY} wake-up.
 */
public final class OrderLatencyBench {
    private OrderLatencyBench() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 250;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int controllers = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (controllers < 1 || controllers > 2) throw new IllegalArgumentException("controllers: 1 or 2");
        Path dir = Files.createTempDirectory("nwbench");
        Path dirB = dir.resolve("b");
        PostgresServer pg = null;
        Controller other = null;
        if (controllers == 2) {
            pg = PostgresServer.start();
            String url = pg.createDatabase();
            Files.createDirectories(dirB);
            for (Path d : new Path[] {dir, dirB}) {
                Files.writeString(d.resolve("controller.properties"), "database.url=" + url + "\ndatabase.user=" + pg.user()
                        + "\ndatabase.password=" + pg.password() + "\n");
            }
        }
        try (Controller controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC())) {
            if (controllers == 2) other = Controller.start(ControllerConfig.load(dirB, 0), Clock.systemUTC());
            Https agentSide = new Https(controller.baseUrl(), controller.caFile(), controller.adminToken());
            Https https = other == null ? agentSide : new Https(other.baseUrl(), other.caFile(), controller.adminToken());
            String sub = controller.defaultSubscription().id();
            ProtocolAgent agent = new ProtocolAgent(agentSide, controller.adminToken(), sub, "bench", "vm1", "westeurope");
            String nw = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            Map<String, Long> arrivals = new ConcurrentHashMap<>();
            Thread poller = Thread.ofPlatform().daemon().name("bench-agent").start(() -> {
                long gen = -1;
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Orders o = agent.orders(gen, 25);
                        long now = System.nanoTime();
                        gen = o.generation();
                        for (CaptureOrder c : o.captures()) {
                            String name = c.captureId().substring(c.captureId().lastIndexOf('/') + 1);
                            if (c.run() && arrivals.putIfAbsent(name, now) == null) agent.reportFinished(c.key());
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        System.err.println("agent: " + e);
                    }
                }
            });
            System.out.printf("controller %s, data %s, %d iterations x %d rounds%s%n", controller.baseUrl(), dir, iterations, rounds,
                    other == null ? "" : "; PUTs to a second controller " + other.baseUrl() + ", both on PostgreSQL " + pg);
            int seq = 0;
            for (int round = 1; round <= rounds; round++) {
                long[] fromAccepted = new long[iterations];
                long[] fromSent = new long[iterations];
                long[] healthz = new long[iterations];
                long[] putRtt = new long[iterations];
                int early = 0;
                for (int i = -20; i < iterations; i++) { // 20 warm-up iterations
                    String name = "ol" + (seq++);
                    Thread.sleep(30 + ThreadLocalRandom.current().nextInt(20)); // the poll is parked again
                    long h0 = System.nanoTime();
                    https.send("GET", "/healthz", null, null).expect(200);
                    long h1 = System.nanoTime();
                    Thread.sleep(10);
                    long t0 = System.nanoTime();
                    https.send("PUT", nw + "/packetCaptures/" + name + "?api-version=2025-05-01", body(agent.vmId)).expect(201);
                    long t1 = System.nanoTime();
                    Long arrived = null;
                    for (long deadline = t1 + Duration.ofSeconds(10).toNanos(); (arrived = arrivals.get(name)) == null && System.nanoTime() < deadline; ) {
                        Thread.onSpinWait();
                        Thread.sleep(0, 200_000);
                    }
                    if (arrived == null) throw new IllegalStateException("order " + name + " not delivered in 10 s");
                    if (i < 0) continue;
                    if (arrived < t1) early++;
                    fromAccepted[i] = Math.max(0, arrived - t1);
                    fromSent[i] = arrived - t0;
                    healthz[i] = h1 - h0;
                    putRtt[i] = t1 - t0;
                }
                Stats acc = Stats.ofNanos(fromAccepted), sent = Stats.ofNanos(fromSent), ref = Stats.ofNanos(healthz), put = Stats.ofNanos(putRtt);
                System.out.printf(Locale.ROOT, "round %d: accepted->order %s (%d of %d orders arrived before the 201, counted 0)%n", round, acc, early, iterations);
                System.out.printf(Locale.ROOT, "round %d: PUT sent->order  %s%n", round, sent);
                System.out.printf(Locale.ROOT, "round %d: PUT round trip   %s%n", round, put);
                System.out.printf(Locale.ROOT, "round %d: reference GET /healthz round trip %s%n", round, ref);
                System.out.printf(Locale.ROOT, "round %d: RESULT p50=%.2f ms p99=%.2f ms (target p99 < 100 ms: %s); sent->order p99 / healthz p99 = %.1f%n",
                        round, acc.p50Ms(), acc.p99Ms(), acc.p99Ms() < 100 ? "met" : "MISSED", sent.p99Ms() / ref.p99Ms());
            }
            poller.interrupt();
        } finally {
            if (other != null) other.close();
            if (pg != null) pg.close();
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String body(String target) {
        return """
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"timeLimitInSeconds":600,
                 "storageLocation":{"filePath":"/var/captures/pc.cap"},"filters":[{"protocol":"UDP"}]}}""".formatted(target);
    }
}
