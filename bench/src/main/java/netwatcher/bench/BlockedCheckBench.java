package netwatcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import netwatcher.cli.lab.LabSession;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabSpec;
import netwatcher.lab.Topology;

/**
 * Connectivity check time, reachable and blocked side by side, on the default lab with real agents:
 * POST connectivityCheck → final answer for app → db:1433 (Reachable, 100 TCP probes) and app →
 * db:80 (dropped by fw2's UserRule_Port80: every probe times out), alternating, after warm-up checks.
 * Each answer's hops are printed once per scenario, so the figure is for an answer with its hops
 * discovered. The LRO is polled every 50 ms (the server's time, not the client's Retry-After). It
 * only uses APIs older than the change it measures, so the same file runs against an older build.
 *
 * <p>Usage: {@code BlockedCheckBench [checks=10] [warmup=3]}. Root (network namespaces).
 */
public final class BlockedCheckBench {
    public static void main(String[] args) throws Exception {
        int checks = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("nwbench-blocked-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Controller controller = Controller.start(ControllerConfig.load(dir, port), Clock.systemUTC());
        String labName = "bb" + UUID.randomUUID().toString().substring(0, 6);
        // the default management network, as ConnectivityBench: the controller's certificate names its address, so
        // this cannot run while another default lab (nw lab up, ConnectivityBench) holds it
        LabSpec spec = LabSpec.of(dir).withLabName(labName).withControllerPort(port);
        try (LabHandle lab = LabSession.up(spec, Topology.defaultLab(), "127.0.0.1", "westeurope")) {
            Https https = new Https(controller.baseUrl(), controller.caFile(), controller.adminToken());
            String sub = controller.defaultSubscription().id();
            String watcher = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            String reachable = body(sub, 1433);
            String blocked = body(sub, 80);
            for (int i = 0; i < warmup; i++) {
                ConnectivityBench.check(https, watcher, reachable);
                ConnectivityBench.check(https, watcher, blocked);
            }
            long[] reachableTimes = new long[checks];
            long[] blockedTimes = new long[checks];
            JsonNode lastReachable = null;
            JsonNode lastBlocked = null;
            for (int i = 0; i < checks; i++) {
                long t0 = System.nanoTime();
                lastReachable = ConnectivityBench.check(https, watcher, reachable);
                reachableTimes[i] = System.nanoTime() - t0;
                if (!"Reachable".equals(lastReachable.path("connectionStatus").asText())) {
                    throw new IllegalStateException("db:1433 not reachable: " + lastReachable);
                }
                t0 = System.nanoTime();
                lastBlocked = ConnectivityBench.check(https, watcher, blocked);
                blockedTimes[i] = System.nanoTime() - t0;
                if (!"Unreachable".equals(lastBlocked.path("connectionStatus").asText())) {
                    throw new IllegalStateException("db:80 not unreachable: " + lastBlocked);
                }
            }
            Stats r = Stats.ofNanos(reachableTimes);
            Stats b = Stats.ofNanos(blockedTimes);
            System.out.printf(Locale.ROOT, "RESULT reachable app->db:1433 POST -> result: %s (target p50 < 2000 ms: %s)%n", r,
                    r.p50Ms() < 2000 ? "met" : "MISSED");
            System.out.println("RESULT reachable hops: " + hops(lastReachable) + " issues: " + issues(lastReachable));
            System.out.printf(Locale.ROOT, "RESULT blocked app->db:80 POST -> result: %s (target p50 <= 5000 ms: %s)%n", b,
                    b.p50Ms() <= 5000 ? "met" : "MISSED");
            System.out.println("RESULT blocked hops: " + hops(lastBlocked) + " issues: " + issues(lastBlocked));
        } finally {
            controller.close();
            try (var walk = Files.walk(dir)) { // the lab is down by now: only the controller's files are left
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String body(String sub, int port) {
        return """
                {"source":{"resourceId":"/subscriptions/%s/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/app"},
                 "destination":{"resourceId":"/subscriptions/%s/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/db","port":%d}}"""
                .formatted(sub, sub, port);
    }

    /** type:address per hop. */
    private static List<String> hops(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : result.path("hops")) out.add(h.path("type").asText() + ":" + h.path("address").asText());
        return out;
    }

    /** type(RuleName or RouteType) per issue. */
    private static List<String> issues(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : result.path("hops")) {
            for (JsonNode i : h.path("issues")) {
                String name = null;
                for (JsonNode kv : i.path("context")) {
                    String key = kv.path("key").asText();
                    if (name == null && (key.equals("RuleName") || key.equals("RouteType") || key.equals("Reason"))) name = kv.path("value").asText();
                }
                out.add(i.path("type").asText() + "(" + name + ")");
            }
        }
        return out;
    }
}
