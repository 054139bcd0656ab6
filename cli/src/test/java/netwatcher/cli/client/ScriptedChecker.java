package netwatcher.cli.client;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

/**
 * A protocol-level agent ({@link TestAgent}) that plays its parts in checks on its own thread, as the
 * real agent does over the wire: a {@code source} sends interim {@code probing} reports every
 * {@code step} (10 more probes each, a new hop every second step, along {@link #path}) and then
 * {@code done}; an {@code observer} arms and then reports {@code done} without findings; a
 * {@code verify} answers {@link #verdict}; a {@code nexthop} answers {@link #nextHop}.
 */
final class ScriptedChecker implements AutoCloseable {
    final TestAgent agent;
    private final String address;
    private final Duration step;
    volatile List<String> path = List.of();
    volatile CheckReport.Verdict verdict = new CheckReport.Verdict("Allow", null, Map.of());
    volatile CheckReport.NextHop nextHop = new CheckReport.NextHop("VirtualAppliance", "198.18.1.1", false, "default via 198.18.1.1 dev eth0");
    /** The probes that fail out of 100. */
    volatile int failing;
    private final Set<String> seen = new HashSet<>();
    private final Thread loop;
    private volatile boolean running = true;

    ScriptedChecker(TestController c, String rg, String vm, String location, String address, Duration step) throws Exception {
        this.agent = new TestAgent(c, rg, vm, location, List.of(address + "/24"));
        this.address = address;
        this.step = step;
        this.loop = Thread.ofPlatform().daemon().name("scripted-checker-" + vm).start(this::run);
    }

    private void run() {
        while (running) {
            try {
                for (CheckOrder o : agent.orders(-1, 0).checks()) {
                    String id = o.key() + "/" + o.role() + "/" + o.active();
                    if (!seen.add(id)) continue;
                    switch (o.role()) {
                        case CheckRole.SOURCE -> Thread.ofPlatform().daemon().start(() -> playSource(o));
                        case CheckRole.OBSERVER -> agent.reportCheck(new CheckReport(o.key(), o.role(),
                                o.active() ? ReportState.ARMED : ReportState.DONE, null, null, null, List.of(), null, null, null, null));
                        case CheckRole.VERIFY -> agent.reportCheck(new CheckReport(o.key(), o.role(), ReportState.DONE, o.flow(),
                                null, null, null, verdict, null, null, null));
                        case CheckRole.NEXTHOP -> agent.reportCheck(new CheckReport(o.key(), o.role(), ReportState.DONE, o.flow(),
                                null, null, null, null, nextHop, null, null));
                        default -> { }
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                if (running) System.err.println("scripted checker: " + e);
            }
        }
    }

    private void playSource(CheckOrder o) {
        try {
            Flow f = o.flow();
            Flow resolved = new Flow(f.protocol(), address, 40000, f.destinationAddress() != null ? f.destinationAddress() : "198.18.3.10",
                    f.destinationHost(), f.destinationPort(), f.direction(), f.preferredIpVersion());
            List<String> hopsPath = path;
            int total = o.probe() == null ? 100 : o.probe().probes();
            for (int i = 1; i <= 10 && running; i++) {
                int sent = total * i / 10;
                int failed = failing * i / 10;
                agent.reportCheck(new CheckReport(o.key(), o.role(), ReportState.PROBING, resolved, summary(sent, failed),
                        hops(hopsPath, Math.min(hopsPath.size(), i / 2)), List.of(), null, null, null, null));
                Thread.sleep(step);
            }
            agent.reportCheck(new CheckReport(o.key(), o.role(), ReportState.DONE, resolved, summary(total, failing * total / 100),
                    hops(hopsPath, hopsPath.size()), List.of(), null, null, null, null));
        } catch (Exception e) {
            if (running) System.err.println("scripted checker source: " + e);
        }
    }

    private static CheckReport.ProbeSummary summary(int sent, int failed) {
        int ok = sent - failed;
        return ok > 0 ? new CheckReport.ProbeSummary(sent, failed, 1, 2, 4, Map.of("connected", ok, "timeout", failed), null, null)
                : new CheckReport.ProbeSummary(sent, failed, null, null, null, Map.of("timeout", failed), null, null);
    }

    private static List<CheckReport.TraceHop> hops(List<String> path, int n) {
        List<CheckReport.TraceHop> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean last = i == path.size() - 1;
            out.add(new CheckReport.TraceHop(i + 1, path.get(i), List.of(0.3), last ? "destination" : "timeExceeded", null));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        loop.interrupt();
        loop.join(5000);
    }
}
