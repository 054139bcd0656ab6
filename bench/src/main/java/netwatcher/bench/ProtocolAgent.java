package netwatcher.bench;

import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureStatus;
import java.time.Duration;
import java.time.Instant;
import netwatcher.agent.control.ControllerException;
import java.util.List;
import netwatcher.arm.Json;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.EnrollResponse;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;

/**
 * An agent that speaks protocol v1 over HTTPS (enroll with the admin token, register one NIC, long-poll
 * orders, report) without capturing: it makes VMs exist and measures order delivery. Thread-safe.
 */
public final class ProtocolAgent {
    private final Https https;
    public final String vmId;
    private final String bearer;

    public ProtocolAgent(Https https, String adminToken, String sub, String rg, String vmName, String location) throws Exception {
        this.https = https;
        var r = https.send("POST", "/agent/v1/enroll", Json.writeString(new EnrollRequest(adminToken, sub, rg, vmName, location, vmName)), null)
                .expect(200);
        EnrollResponse e = Json.read(r.body(), EnrollResponse.class);
        this.vmId = e.vmId();
        this.bearer = "Bearer " + e.bearer();
        https.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("bench-1.0", vmName, "Debian",
                List.of(new NicReport("eth0", "02:00:00:00:00:01", List.of("198.18.1.10/24"), true)), List.of("capture"), List.of())),
                bearer).expect(200);
    }

    private ProtocolAgent(Https https, String vmId, String bearer) {
        this.https = https;
        this.vmId = vmId;
        this.bearer = bearer;
    }

    /** The same agent (same credential) talking to another controller: a failover. */
    public ProtocolAgent via(Https other) {
        return new ProtocolAgent(other, vmId, bearer);
    }

    /**
     * One long-poll; an answer other than 200 is a {@link ControllerException} with its status and
     * {@code Retry-After}, as the real agent's client makes it, so that the same {@code Backoff} decides the wait.
     */
    public Orders orders(long after, int waitSeconds) throws Exception {
        var r = https.send("GET", "/agent/v1/orders?after=" + after + "&waitSeconds=" + waitSeconds, null, bearer);
        if (r.status() != 200) {
            String ra = r.header("Retry-After");
            throw new ControllerException(r.status(), null, "HTTP " + r.status() + ": " + r.body(), null,
                    ra == null ? null : Duration.ofSeconds(Long.parseLong(ra.strip())));
        }
        return Json.read(r.body(), Orders.class);
    }

    /** Reports captures as running with counters, in one batch, as a real agent's report interval does. */
    public void reportRunning(List<String> keys, Instant started, long packets) throws Exception {
        Instant now = Instant.now();
        List<CaptureReport> reps = keys.stream().map(key -> new CaptureReport(key, CaptureStatus.Running, null, List.of(), null, started, null,
                packets, packets * 100, 0, 0, packets, started, now, "/var/captures/x.cap", UploadState.NONE, 0, null, null)).toList();
        https.send("POST", "/agent/v1/reports", Json.writeString(new Reports(reps)), bearer).expect(204);
    }

    /** Reports a capture as finished with its (absent) file settled, so it leaves the orders. */
    public void reportFinished(String key) throws Exception {
        Instant now = Instant.now();
        var rep = new CaptureReport(key, CaptureStatus.Stopped, StopReason.StoppedByRequest, List.of(), null, now.minusSeconds(1), now,
                0, 0, 0, 0, 0, null, null, "/var/captures/x.cap", UploadState.DONE, 0, null, null);
        https.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(rep))), bearer).expect(204);
    }
}
