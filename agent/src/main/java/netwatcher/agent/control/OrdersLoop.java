package netwatcher.agent.control;

import netwatcher.model.agent.Orders;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.event.Level;

/**
 * The orders thread: registers the host first, then long-polls {@code GET /agent/v1/orders} and hands
 * every answer (a full desired state) to the reconciler. Any failure (unreachable, bad status,
 * unreadable body) waits with exponential backoff and jitter (at least the answer's {@code Retry-After})
 * and retries, against the next controller URL when the one it used is gone ({@link ControllerEndpoints});
 * nothing ends the loop but
 * {@link #stop}. The first failure and every tenth are logged at WARN, the first success after
 * failures at INFO.
 *
 * <p>Thread-safety: {@link #start} and {@link #stop} from the owner; {@link #lastControllerError()}
 * from any thread.
 */
final class OrdersLoop extends ControlThread {
    /**
     * How the loop polls.
     *
     * @param waitSeconds the long-poll's {@code waitSeconds}
     * @param backoffBase first reconnect delay
     * @param backoffCap  longest reconnect delay
     */
    record Polling(int waitSeconds, Duration backoffBase, Duration backoffCap) {}

    private final ControllerClient client;
    private final HostRegistrar registrar;
    private final Polling polling;
    private final LongSupplier appliedGeneration;
    private final Consumer<Orders> apply;
    private volatile Throwable lastControllerError;
    /** Whether an orders poll ever succeeded (the first success says "connected"); loop thread only. */
    private boolean connectedOnce;

    /**
     * @param appliedGeneration the generation of the last orders applied (-1 before the first)
     * @param apply             applies one answer
     */
    OrdersLoop(ControllerClient client, HostRegistrar registrar, Polling polling, LongSupplier appliedGeneration,
               Consumer<Orders> apply) {
        super("nw-agent-orders");
        this.client = client;
        this.registrar = registrar;
        this.polling = polling;
        this.appliedGeneration = appliedGeneration;
        this.apply = apply;
    }

    /** The last failure talking to the controller, or null after a success. */
    Throwable lastControllerError() { return lastControllerError; }

    @Override
    void loop() {
        Backoff backoff = new Backoff(polling.backoffBase(), polling.backoffCap(), RandomGenerator.getDefault());
        while (!stopped()) {
            try {
                if (!registrar.registered()) {
                    registrar.register();
                    reachable(backoff);
                }
                Orders orders = client.orders(Math.max(0, appliedGeneration.getAsLong()), polling.waitSeconds());
                reachable(backoff);
                lastControllerError = null;
                backoff.reset();
                apply.accept(orders);
            } catch (RuntimeException e) {
                if (stopped()) break;
                boolean firstFailure = lastControllerError == null;
                lastControllerError = e;
                Duration wait = backoff.nextDelay(e);
                // the first failure and every tenth say so at WARN; the retries between them only at DEBUG
                Reconciler.LOG.atLevel(firstFailure || backoff.failures() % 10 == 0 ? Level.WARN : Level.DEBUG)
                        .addKeyValue("controller", client.baseUrl()).addKeyValue("failures", backoff.failures())
                        .addKeyValue("retryMs", wait.toMillis())
                        .log(firstFailure ? "lost the controller, retrying: {}" : "controller still unreachable: {}", e.getMessage());
                if (!sleep(wait)) break;
            }
        }
    }

    /** Logs the first contact with the controller, and the first after failures. */
    private void reachable(Backoff backoff) {
        if (connectedOnce && lastControllerError == null) return;
        Reconciler.LOG.atInfo().addKeyValue("controller", client.baseUrl()).addKeyValue("failures", backoff.failures())
                .log(connectedOnce ? "controller reachable again" : "connected to the controller");
        connectedOnce = true;
        lastControllerError = null;
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            return !stopped();
        }
    }
}
