package netwatcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import netwatcher.lab.LabHandle;

/**
 * Time travel end to end: {@code POST .../packetCaptures/{name}/snapshot} with {@code {"lastSeconds": N}} on a running
 * ring capture of a real agent in a lab host (the two-host topology of {@code bench/two-hosts.json}, some 100 datagrams
 * a second flowing into the ring), until the snapshot file is stored in the controller's local account. Two times per
 * snapshot: the controller's own ({@code finishedTime - requestedTime}: request arrived → agent's report of the stored
 * file recorded) and the client's (POST sent → the answer or the operation's Location says it is stored; polled every
 * 50 ms, not at Retry-After, so the client's wait is not the measure). Snapshots run one after the other (one at a time
 * per capture). Arguments: {@code TOPOLOGY [snapshots=40] [lastSeconds=5] [fileSizeBytes=1000000] [fileCount=10]}.
 */
public final class SnapshotRequestBench {
    private SnapshotRequestBench() {}

    static final String V = "?api-version=2025-05-01";

    public static void main(String[] args) throws Exception {
        Path topologyFile = Path.of(args[0]);
        int snapshots = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int lastSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        long fileSize = args.length > 3 ? Long.parseLong(args[3]) : 1_000_000;
        int fileCount = args.length > 4 ? Integer.parseInt(args[4]) : 10;

        Thread traffic = null;
        BenchLab bench = BenchLab.up("nwbench-snap", topologyFile);
        try (bench) {
            LabHandle lab = bench.lab;
            Https https = bench.https;
            String sub = bench.subscription;
            String vmId = bench.startAgent("rcv", bench.agents().command(lab.host("rcv")));
            int seconds = snapshots * (lastSeconds + 3) + 60;
            traffic = Thread.ofPlatform().daemon().start(() -> lab.exec("snd", Duration.ofSeconds(seconds + 10), List.of("bash", "-c",
                    "end=$((SECONDS + " + seconds + ")); while [ $SECONDS -lt $end ]; do echo snapshot-bench > /dev/udp/198.18.77.2/9;"
                            + " sleep 0.01; done")));
            String nw = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            String pc = nw + "/packetCaptures/snapbench";
            https.send("PUT", pc + V, """
                    {"properties":{"target":"%s","continuousCapture":true,
                     "captureSettings":{"fileCount":%d,"fileSizeInBytes":%d,"sessionTimeLimitInSeconds":86400},
                     "storageLocation":{"localPath":"/var/captures/snapbench.cap",
                       "storageId":"/subscriptions/%s/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/netwatcherlocal"},
                     "filters":[{"protocol":"UDP","localPort":"9"}]}}""".formatted(vmId, fileCount, fileSize, sub)).expect(201);
            CaptureBench.waitFor(Duration.ofSeconds(60), () -> https.send("POST", pc + "/queryStatus" + V, null).json()
                    .path("packetsCaptured").asLong() > 100L * lastSeconds, "packets for the first window");
            long[] server = new long[snapshots];
            long[] client = new long[snapshots];
            long packets = 0;
            for (int i = 0; i < snapshots; i++) {
                long t0 = System.nanoTime();
                Https.Reply r = https.send("POST", pc + "/snapshot" + V, "{\"lastSeconds\":" + lastSeconds + "}").expect(200, 202);
                JsonNode snap = r.status() == 200 ? r.json() : follow(https, r.header("Location"));
                client[i] = System.nanoTime() - t0;
                if (!snap.path("state").asText().equals("Succeeded")) throw new IllegalStateException("snapshot failed: " + snap);
                server[i] = Duration.between(Instant.parse(snap.path("requestedTime").asText()),
                        Instant.parse(snap.path("finishedTime").asText())).toNanos();
                packets += snap.path("packets").asLong();
                Thread.sleep(500);
            }
            System.out.printf("%d snapshots of the last %d s (%d packets each on average), ring of %d x %d bytes%n", snapshots,
                    lastSeconds, packets / snapshots, fileCount, fileSize);
            System.out.println("request arrived -> stored (controller): " + Stats.ofNanos(server));
            System.out.println("POST sent -> client sees it stored:    " + Stats.ofNanos(client));
            System.out.println("load after: " + Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            if (traffic != null) traffic.interrupt();
        }
        bench.removeData();
    }

    /** Polls the operation's Location every 50 ms until it answers 200 with the snapshot. */
    private static JsonNode follow(Https https, String location) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Https.Reply poll = https.send("GET", location, null);
            if (poll.status() == 200) return poll.json();
            if (poll.status() != 202) throw new IllegalStateException("operation: " + poll.status() + " " + poll.body());
            Thread.sleep(50);
        }
        throw new IllegalStateException("the snapshot did not finish within 60 s");
    }
}
