package netwatcher.controller.compat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import netwatcher.controller.TestAgent;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.Orders;

/**
 * Plays a capture agent on a background thread over the real protocol: every capture it is told to
 * run reports Running, every capture it is told to stop reports Stopped (StoppedByRequest). Close
 * stops the thread. Thread-safe.
 */
final class AgentPlayer implements AutoCloseable {
    private final TestAgent agent;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    AgentPlayer(TestAgent agent) {
        this.agent = agent;
        this.thread = Thread.ofPlatform().daemon().name("agent-player").start(this::loop);
    }

    private void loop() {
        long gen = -1;
        Set<String> started = new HashSet<>();
        Set<String> stopped = new HashSet<>();
        while (running.get()) {
            try {
                Orders o = agent.orders(gen, 1);
                gen = o.generation();
                for (CaptureOrder order : o.captures()) {
                    if (order.run() && started.add(order.key())) agent.report(order.key(), "Running", null, List.of(), 1);
                    if (!order.run() && stopped.add(order.key())) agent.report(order.key(), "Stopped", "StoppedByRequest", List.of(), 2);
                }
            } catch (Exception e) {
                if (running.get()) e.printStackTrace();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
    }
}
