package netwatcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.cli.lab.LabSession;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabSpec;
import netwatcher.lab.Topology;

/**
 * Connectivity check speed and honesty on the default lab with real agents: time from POST
 * connectivityCheck to the final answer for 100 TCP probes app → db:1433 (two forwarding hops),
 * and the probes' median latency against an independent measurement on the same path in the same
 * run: {@code hping3 -S} (SYN → SYN-ACK round trips) from the app namespace. The LRO is polled every
 * 50 ms here (the server's speed, not the client's Retry-After).
 *
 * <p>Usage: {@code ConnectivityBench [rounds=3] [checksPerRound=5]}. Root (network namespaces).
 */
public final class ConnectivityBench {
    private static final Pattern RTT = Pattern.compile("rtt=([0-9.]+) ms");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int checks = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("nwbench-conn-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Controller controller = Controller.start(ControllerConfig.load(dir, port), Clock.systemUTC());
        String labName = "bc" + UUID.randomUUID().toString().substring(0, 6);
        LabSpec spec = LabSpec.of(dir).withLabName(labName).withControllerPort(port);
        try (LabHandle lab = LabSession.up(spec, Topology.defaultLab(), "127.0.0.1", "westeurope")) {
            Https https = new Https(controller.baseUrl(), controller.caFile(), controller.adminToken());
            String sub = controller.defaultSubscription().id();
            String watcher = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            String body = """
                    {"source":{"resourceId":"/subscriptions/%s/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/app"},
                     "destination":{"resourceId":"/subscriptions/%s/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/db","port":1433}}"""
                    .formatted(sub, sub);
            for (int i = 0; i < 3; i++) check(https, watcher, body); // warm-up (JIT of controller and agents, connections)
            for (int round = 1; round <= rounds; round++) {
                long[] times = new long[checks];
                List<Double> ours = new ArrayList<>();
                for (int i = 0; i < checks; i++) {
                    long t0 = System.nanoTime();
                    JsonNode r = check(https, watcher, body);
                    times[i] = System.nanoTime() - t0;
                    if (!"Reachable".equals(r.path("connectionStatus").asText())) throw new IllegalStateException("not reachable: " + r);
                    ours.add(r.path("probeStatistics").path("latencyPercentilesMs").path("p50").asDouble());
                }
                double hping = hpingMedian(lab);
                double connect = connectLoopMedian(lab);
                Stats st = Stats.ofNanos(times);
                double ourMedian = median(ours);
                double ratio = ourMedian / connect;
                System.out.printf(Locale.ROOT, "round %d: POST -> result for 100 TCP probes: %s (target p50 < 2000 ms: %s)%n", round, st,
                        st.p50Ms() < 2000 ? "met" : "MISSED");
                System.out.printf(Locale.ROOT, "round %d: RESULT probe latency median %.3f ms (median of %d checks) vs plain TCP connect loop (C, blocking connect) %.3f ms:"
                        + " ratio %.2f (target within 20%%: %s); hping3 -S median %.3f ms (ratio %.2f)%n", round, ourMedian, checks, connect, ratio,
                        Math.abs(ratio - 1) <= 0.2 ? "met" : "MISSED", hping, ourMedian / hping);
            }
        } finally {
            controller.close();
        }
    }

    static JsonNode check(Https https, String watcher, String body) throws Exception {
        var r = https.send("POST", watcher + "/connectivityCheck?api-version=2025-05-01", body);
        if (r.status() != 202) throw new IllegalStateException("POST: " + r.status() + " " + r.body());
        String location = r.header("Location");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var p = https.send("GET", location, null);
            if (p.status() == 200) return p.json();
            if (p.status() != 202) throw new IllegalStateException("poll: " + p.status() + " " + p.body());
            Thread.sleep(50);
        }
        throw new IllegalStateException("check did not finish");
    }

    /** Median SYN → SYN-ACK round trip of 100 hping3 probes from app to db:1433, 10 ms apart. */
    static double hpingMedian(LabHandle lab) {
        var r = lab.exec("app", Duration.ofSeconds(60), List.of("hping3", "-S", "-p", "1433", "-c", "100", "-i", "u10000", "198.18.3.10"));
        List<Double> rtts = new ArrayList<>();
        Matcher m = RTT.matcher(r.stdout());
        while (m.find()) rtts.add(Double.parseDouble(m.group(1)));
        if (rtts.size() < 50) throw new IllegalStateException("hping3 answered " + rtts.size() + " of 100: " + r.stderr());
        return median(rtts);
    }

    /** Median handshake time of bench/tcpconnect.c (compiled by the script) in the app namespace: 100 connects, 10 ms apart. */
    static double connectLoopMedian(LabHandle lab) {
        String binary = System.getProperty("bench.tcpconnect");
        var r = lab.exec("app", Duration.ofSeconds(90), List.of(binary, "198.18.3.10", "1433", "100"));
        List<Double> ms = new ArrayList<>();
        Matcher m = Pattern.compile("connect_ms=([0-9.]+)").matcher(r.stdout());
        while (m.find()) ms.add(Double.parseDouble(m.group(1)));
        if (ms.size() < 50) throw new IllegalStateException("connect loop: " + ms.size() + " of 100: " + r.stdout() + r.stderr());
        return median(ms);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

}
