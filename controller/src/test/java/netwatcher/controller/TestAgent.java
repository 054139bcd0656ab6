package netwatcher.controller;

import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import java.time.Instant;
import java.util.List;
import netwatcher.arm.Json;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.EnrollResponse;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;

/** An agent that speaks the real protocol over HTTPS and plays whatever the test tells it. */
public final class TestAgent {
    private final TestController c;
    public final String vmName;
    public final String vmId;
    private final String bearer;

    public TestAgent(TestController c, String rg, String vmName, String location) throws Exception {
        this(c, rg, vmName, location, List.of("198.18.1.10/24"));
    }

    public TestAgent(TestController c, String rg, String vmName, String location, List<String> addresses) throws Exception {
        this(c, c.sub, rg, vmName, location, addresses);
    }

    /** An agent enrolled in subscription {@code sub} (which the admin must have created). */
    public TestAgent(TestController c, String sub, String rg, String vmName, String location, List<String> addresses) throws Exception {
        this.c = c;
        this.vmName = vmName;
        var r = c.send("POST", "/agent/v1/enroll", Json.writeString(new EnrollRequest(c.token, sub, rg, vmName, location, vmName)), null);
        if (r.status() != 200) throw new AssertionError("enroll: " + r.status() + " " + r.body());
        EnrollResponse e = Json.read(r.body(), EnrollResponse.class);
        this.vmId = e.vmId();
        this.bearer = "Bearer " + e.bearer();
        var h = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", vmName, "Debian",
                List.of(new NicReport("eth0", "02:00:00:00:00:01", addresses, true)), List.of("capture"), List.of())), bearer);
        if (h.status() != 200) throw new AssertionError("host: " + h.status() + " " + h.body());
    }

    private TestAgent(TestController c, String vmName, String vmId, String bearer, boolean attached) {
        this.c = c;
        this.vmName = vmName;
        this.vmId = vmId;
        this.bearer = bearer;
    }

    /** An agent that enrolled earlier (with another controller process on the same data directory). */
    public static TestAgent attach(TestController c, String vmName, String vmId, String bearer) {
        return new TestAgent(c, vmName, vmId, bearer, true);
    }

    public Orders orders(long after, int waitSeconds) throws Exception {
        var r = c.send("GET", "/agent/v1/orders?after=" + after + "&waitSeconds=" + waitSeconds, null, bearer);
        if (r.status() != 200) throw new AssertionError("orders: " + r.status() + " " + r.body());
        return Json.read(r.body(), Orders.class);
    }

    public void report(String key, String status, String stopReason, List<String> errors, long packets) throws Exception {
        Instant now = Instant.now();
        var rep = new CaptureReport(key, CaptureStatus.valueOf(status), stopReason == null ? null : StopReason.valueOf(stopReason),
                errors.stream().map(CaptureError::valueOf).toList(), null, now.minusSeconds(1), "Running".equals(status) ? null : now,
                packets, packets * 100, 0, 0, packets, null, null, "/var/captures/x.cap", UploadState.NONE, 0, null, null);
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(rep))), bearer);
        if (r.status() != 204) throw new AssertionError("report: " + r.status() + " " + r.body());
    }

    public String bearer() { return bearer; }

    public void reportCheck(netwatcher.model.check.CheckReport report) throws Exception {
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(), List.of(report))), bearer);
        if (r.status() != 204) throw new AssertionError("check report: " + r.status() + " " + r.body());
    }
}
