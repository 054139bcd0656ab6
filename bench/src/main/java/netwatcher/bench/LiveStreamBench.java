package netwatcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.agent.control.ControllerTls;
import netwatcher.controller.Controller;
import netwatcher.lab.LabHandle;

/**
 * The live stream of a capture ({@code GET .../packetCaptures/{name}/stream}) in the two-host lab of
 * {@code bench/two-hosts.json} (namespaces {@code nw-bXXXXXX-*}, removed on every exit path), the controller in this
 * process, the real agent in {@code rcv}'s namespace.
 *
 * <p>Latency rounds: {@code udpsend} sends a steady stream at {@code pps} for {@code seconds}; a reader parses the
 * pcapng stream as it arrives and, for each packet, takes the time it read the packet's block minus the packet's
 * timestamp, which libpcap took when the packet reached {@code rcv}'s interface (one clock: namespaces share it).
 * Flood rounds: {@code udpsend} floods numbered datagrams for {@code seconds}, once with no watcher and once with a
 * watcher that reads the stream's first block and then stalls; the capture's own file is counted each time.
 * Arguments: {@code SENDER TOPOLOGY [rounds=3] [latencySeconds=10] [pps=50] [floodCount=2000000] [floodSeconds=5]}.
 */
public final class LiveStreamBench {
    private LiveStreamBench() {}

    static final String V = "?api-version=2025-05-01";
    static final int PAYLOAD = 18;

    public static void main(String[] args) throws Exception {
        Path sender = Path.of(args[0]).toAbsolutePath();
        Path topologyFile = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int latencySeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int pps = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        long floodCount = args.length > 5 ? Long.parseLong(args[5]) : 2_000_000;
        int floodSeconds = args.length > 6 ? Integer.parseInt(args[6]) : 5;

        BenchLab bench = BenchLab.up("nwbench-live", topologyFile);
        try (bench) {
            Controller controller = bench.controller;
            LabHandle lab = bench.lab;
            Https https = bench.https;
            String vmId = bench.startAgent("rcv", bench.agents().command(lab.host("rcv")));
            Thread.sleep(1000);
            HttpClient streams = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(ControllerTls.trusting(controller.caFile())).build();
            Run run = new Run(https, streams, controller, lab, vmId, sender);
            for (int round = 1; round <= rounds; round++) run.latency(round, latencySeconds, pps);
            for (int round = 1; round <= rounds; round++) {
                run.flood(round, floodCount, floodSeconds, false);
                run.flood(round, floodCount, floodSeconds, true);
            }
        }
        bench.removeData();
    }

    /** The per-run context. */
    record Run(Https https, HttpClient streams, Controller controller, LabHandle lab, String vmId, Path sender) {
        String nw() {
            return "/subscriptions/" + controller.defaultSubscription().id()
                    + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        }

        void create(String name) throws Exception {
            https.send("PUT", nw() + "/packetCaptures/" + name + V, """
                    {"properties":{"target":"%s","bytesToCapturePerPacket":128,"timeLimitInSeconds":600,
                     "storageLocation":{"filePath":"/var/captures/%s.cap"},"filters":[{"protocol":"UDP"}]}}""".formatted(vmId, name)).expect(201);
            CaptureBench.waitFor(Duration.ofSeconds(30), () -> https.send("POST", nw() + "/packetCaptures/" + name + "/queryStatus" + V, null)
                    .expect(200).json().path("packetCaptureStatus").asText().equals("Running"), name + " running");
        }

        JsonNode stopAndWait(String name) throws Exception {
            https.send("POST", nw() + "/packetCaptures/" + name + "/stop" + V, null).expect(200, 202);
            JsonNode[] last = new JsonNode[1];
            CaptureBench.waitFor(Duration.ofSeconds(60), () -> {
                last[0] = https.send("POST", nw() + "/packetCaptures/" + name + "/queryStatus" + V, null).expect(200).json();
                return last[0].path("packetCaptureStatus").asText().matches("Stopped|Error");
            }, name + " stopped");
            return last[0];
        }

        InputStream open(String name) throws Exception {
            HttpResponse<InputStream> r = streams.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + nw() + "/packetCaptures/" + name
                    + "/stream" + V)).header("Authorization", "Bearer " + controller.adminToken()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) throw new IllegalStateException("stream: " + r.statusCode() + " " + new String(r.body().readAllBytes()));
            return r.body();
        }

        /** Sends {@code count} datagrams at {@code rate} pps (0: flood) for at most {@code seconds}; returns the number sent. */
        long send(long count, int rate, int seconds) throws Exception {
            var sent = lab.exec("snd", Duration.ofSeconds(seconds + 30), List.of(sender.toString(), lab.host("rcv").ipv4(), "9",
                    Long.toString(count), Integer.toString(rate), Integer.toString(seconds), Integer.toString(PAYLOAD))).orThrow();
            Matcher m = Pattern.compile("sent (\\d+) in ([0-9.]+) s").matcher(sent.stdout());
            if (!m.find()) throw new IllegalStateException("udpsend: " + sent.stdout() + sent.stderr());
            return Long.parseLong(m.group(1));
        }

        void latency(int round, int seconds, int pps) throws Exception {
            String name = "lat" + round;
            create(name);
            InputStream in = open(name);
            List<Long> nanos = new ArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    readBlocks(in, (type, block) -> {
                        if (type != 6) return;
                        Instant now = Instant.now();
                        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
                        long ts = ((b.getInt(12) & 0xFFFFFFFFL) << 32) | (b.getInt(16) & 0xFFFFFFFFL);
                        long delay = now.getEpochSecond() * 1_000_000_000L + now.getNano() - ts;
                        synchronized (nanos) {
                            nanos.add(delay);
                        }
                    });
                } catch (IOException e) {
                    // the stream ended
                }
            });
            Thread.sleep(1500); // the watch reaches the agent (its next orders) before the first datagram
            long sent = send((long) pps * seconds, pps, seconds + 5);
            Thread.sleep(1000);
            JsonNode st = stopAndWait(name);
            reader.join(15_000);
            long[] values;
            synchronized (nanos) {
                values = nanos.stream().mapToLong(Long::longValue).toArray();
            }
            Stats s = Stats.ofNanos(values);
            System.out.printf(Locale.ROOT, "latency round %d: sent %d at %d pps, captured %d, streamed %d; packet on rcv's eth0 -> block read by the client: %s%n",
                    round, sent, pps, st.path("packetsCaptured").asLong(), values.length, s);
            System.out.printf(Locale.ROOT, "latency round %d: RESULT first-packet latency p50 %.1f ms, p99 %.1f ms (target <= 1000 ms: %s)%n",
                    round, s.p50Ms(), s.p99Ms(), s.p99Ms() <= 1000 ? "met" : "MISSED");
        }

        void flood(int round, long count, int seconds, boolean stalledWatcher) throws Exception {
            String name = "flood" + round + (stalledWatcher ? "w" : "n");
            create(name);
            InputStream in = null;
            if (stalledWatcher) {
                in = open(name);
                in.readNBytes(4); // the section header's first bytes, then nothing more
                Thread.sleep(1500); // the watch reaches the agent
            }
            long sent = send(count, 0, seconds);
            Thread.sleep(1500); // the capture drains its ring
            JsonNode st = stopAndWait(name);
            Path file = lab.host("rcv").capturesDirectory().resolve(name + ".cap");
            PcapFile pcap = PcapFile.read(file, PAYLOAD);
            System.out.printf(Locale.ROOT, "flood round %d, %s: sent %d, file %d packets (%d distinct seq, lost %d = %.3f%%), kernelDrops %d%n",
                    round, stalledWatcher ? "stalled watcher" : "no watcher     ", sent, pcap.packets(), pcap.distinctSeq(),
                    sent - pcap.distinctSeq(), 100.0 * (sent - pcap.distinctSeq()) / sent, st.path("kernelDrops").asLong());
            if (in != null) in.close();
            Files.deleteIfExists(file);
        }
    }

    interface BlockSink {
        void block(int type, byte[] block);
    }

    /** Reads pcapng blocks from {@code in} until its end (little-endian, as the controller writes). */
    static void readBlocks(InputStream in, BlockSink sink) throws IOException {
        byte[] head = new byte[8];
        while (in.readNBytes(head, 0, 8) == 8) {
            ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            int type = b.getInt(0);
            int length = b.getInt(4);
            byte[] block = new byte[length];
            System.arraycopy(head, 0, block, 0, 8);
            if (in.readNBytes(block, 8, length - 8) != length - 8) return;
            sink.block(type, block);
        }
    }

}
