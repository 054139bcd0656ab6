package netwatcher.agent.control;

import netwatcher.model.agent.HostReport;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Keeps the controller's view of this host current: registers it ({@code PUT /agent/v1/host}) before
 * the first orders poll and again whenever the host report (interfaces, addresses, problems)
 * changes, looked at every host poll interval on a thread of its own.
 *
 * <p>Thread-safety: thread-safe; registrations are serialised.
 */
final class HostRegistrar extends ControlThread {
    private final ControllerClient client;
    private final Supplier<HostReport> host;
    private final Duration pollInterval;
    private final Object lock = new Object();
    private volatile HostReport registered;

    HostRegistrar(ControllerClient client, Supplier<HostReport> host, Duration pollInterval) {
        super("nw-agent-host");
        this.client = client;
        this.host = host;
        this.pollInterval = pollInterval;
    }

    /** True once a registration succeeded. */
    boolean registered() { return registered != null; }

    /**
     * Registers the host as it is now.
     *
     * @throws ControllerException when the controller is unreachable or refuses it
     */
    void register() { register(host.get()); }

    private void register(HostReport report) {
        synchronized (lock) {
            client.putHost(report);
            registered = report;
            Reconciler.LOG.atInfo().addKeyValue("nics", report.nics().size()).addKeyValue("problems", report.problems())
                    .log("host registered");
        }
    }

    @Override
    void loop() {
        while (!stopped()) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                if (stopped()) break;
            }
            try {
                HostReport now = host.get();
                if (!now.equals(registered)) register(now);
            } catch (RuntimeException e) {
                Reconciler.LOG.debug("host registration failed: {}", e.getMessage());
            }
        }
    }
}
