package netwatcher.cli.client;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;

/**
 * A protocol-level agent ({@link TestAgent} for enrollment) that plays captures on its own thread:
 * it reports Running with counters that grow every tick, ends a capture on {@code run:false} or when
 * its time limit passes, then uploads {@link #file} through the local-storage upload route as the
 * real agent does (PUT with Content-Range) and reports the upload done.
 */
final class ScriptedAgent implements AutoCloseable {
    private final TestController c;
    final TestAgent agent;
    final byte[] file;
    private final Thread loop;
    private volatile boolean running = true;
    private final Map<String, Playing> playing = new HashMap<>();
    private final java.util.Set<String> snapshotsDone = new java.util.HashSet<>();

    private static final class Playing {
        final CaptureOrder order;
        final Instant start = Instant.now();
        long packets;
        boolean ended;

        Playing(CaptureOrder order) { this.order = order; }
    }

    ScriptedAgent(TestController c, String rg, String vm, String location, byte[] file) throws Exception {
        this.c = c;
        this.agent = new TestAgent(c, rg, vm, location);
        this.file = file;
        this.loop = Thread.ofPlatform().daemon().name("scripted-agent-" + vm).start(this::run);
    }

    private void run() {
        long gen = -1;
        while (running) {
            try {
                Orders o = agent.orders(gen, 0);
                gen = o.generation();
                for (CaptureOrder order : o.captures()) {
                    Playing p = playing.computeIfAbsent(order.key(), k -> new Playing(order));
                    if (p.ended) continue;
                    boolean timeUp = order.timeLimitSeconds() > 0 && Instant.now().isAfter(p.start.plusSeconds(order.timeLimitSeconds()));
                    if (!order.run() || timeUp) {
                        end(p, order, timeUp && order.run() ? "TimeExceeded" : "StoppedByRequest");
                    } else {
                        p.packets += 7;
                        report(p, "Running", null, "none", 0);
                    }
                }
                for (netwatcher.model.agent.SnapshotOrder order : o.snapshots()) {
                    if (snapshotsDone.add(order.id())) snapshot(order);
                }
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                if (running) System.err.println("scripted agent: " + e);
            }
        }
    }

    private void end(Playing p, CaptureOrder order, String reason) throws Exception {
        p.ended = true;
        report(p, "Stopped", reason, order.upload() == null ? "none" : "uploading", 0);
        if (order.upload() == null) return;
        HttpRequest put = HttpRequest.newBuilder(URI.create(order.upload().url()))
                .header("Authorization", agent.bearer())
                .header("Content-Range", "bytes 0-" + (file.length - 1) + "/" + file.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(file)).build();
        HttpResponse<String> r = c.http.send(put, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError("upload: " + r.statusCode() + " " + r.body());
        report(p, "Stopped", reason, "done", file.length);
    }

    /** A snapshot: its file is this agent's pcap, uploaded where the order says (or "kept on the host"), then reported. */
    private void snapshot(netwatcher.model.agent.SnapshotOrder order) throws Exception {
        String stored = "/var/captures/snapshots/" + order.id() + ".cap";
        if (order.upload() != null) {
            HttpRequest put = HttpRequest.newBuilder(URI.create(order.upload().url()))
                    .header("Authorization", agent.bearer())
                    .header("Content-Range", "bytes 0-" + (file.length - 1) + "/" + file.length)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(file)).build();
            HttpResponse<String> r = c.http.send(put, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new AssertionError("snapshot upload: " + r.statusCode() + " " + r.body());
            stored = order.upload().storagePath();
        }
        var rep = new netwatcher.model.agent.SnapshotReport(order.id(), order.captureKey(),
                netwatcher.model.agent.SnapshotReport.State.Succeeded, 40, file.length, order.from(), order.to(), stored, null, null);
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(), List.of(), List.of(rep))), agent.bearer());
        if (r.status() != 204) throw new AssertionError("snapshot report: " + r.status() + " " + r.body());
    }

    private void report(Playing p, String status, String stopReason, String upload, long uploaded) throws Exception {
        Instant now = Instant.now();
        var rep = new CaptureReport(p.order.key(), netwatcher.model.capture.CaptureStatus.valueOf(status),
                stopReason == null ? null : netwatcher.model.capture.StopReason.valueOf(stopReason), List.of(), null, p.start,
                "Running".equals(status) ? null : now,
                // once ended, the file is final: bytesWritten is its size, and "done" carries its SHA-256 (as a real agent)
                p.packets, p.ended ? file.length : p.packets * 100, p.packets / 7, 0, p.packets, p.start, now, "/var/captures/x.cap",
                netwatcher.model.capture.UploadState.fromWire(upload), uploaded, "done".equals(upload) ? java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(file)) : null, null);
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(rep))), agent.bearer());
        if (r.status() != 204) throw new AssertionError("report: " + r.status() + " " + r.body());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.interrupt();
        loop.join(5000);
    }
}
