package netwatcher.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;

/**
 * The set-up the controller's read benches share ({@link ControllerReadBench}, {@link ConsoleBench}): an in-process
 * controller on embedded H2 in a temporary directory (agents wait 2 s, so captures no agent takes end in Error and
 * the sweeper goes quiet), an HTTPS client with the admin token, the default subscription, and captures created
 * through the ARM API from 8 threads. Closing it stops the controller and deletes the directory.
 */
final class SeededController implements AutoCloseable {
    static final String V = "?api-version=2025-05-01";
    static final int THREADS = 8;

    final Path dir;
    final Controller controller;
    final Https https;
    final String sub;

    private SeededController(Path dir, Controller controller) throws Exception {
        this.dir = dir;
        this.controller = controller;
        this.https = new Https(controller.baseUrl(), controller.caFile(), controller.adminToken());
        this.sub = controller.defaultSubscription().id();
    }

    static SeededController start(String prefix) throws Exception {
        Path dir = Files.createTempDirectory(prefix);
        try {
            ControllerConfig config = ControllerConfig.load(dir, 0).withAgentWait(Duration.ofSeconds(2));
            Controller controller = Controller.start(config, Clock.systemUTC());
            try {
                return new SeededController(dir, controller);
            } catch (Exception | Error e) {
                controller.close();
                throw e;
            }
        } catch (Exception | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** The network watcher of the default subscription in {@code location}. */
    String watcher(String location) {
        return "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_" + location;
    }

    /** Where capture {@code i} goes: its watcher, its name and its target VM. */
    record Capture(String watcher, String name, String vmId) {}

    interface CaptureOf {
        Capture at(int i);
    }

    /** Creates {@code count} captures through the ARM API (PUT, 201 each), {@code of.at(i)} saying where. */
    void seedCaptures(int count, CaptureOf of) throws Exception {
        parallel(count, i -> {
            Capture c = of.at(i);
            https.send("PUT", c.watcher() + "/packetCaptures/" + c.name() + V, OrderLatencyBench.body(c.vmId())).expect(201);
        });
    }

    interface Step {
        void run(int i) throws Exception;
    }

    /** Runs {@code step} for 0 .. count-1 on {@link #THREADS} threads (thread t takes t, t+8, ...); rethrows the first failure. */
    static void parallel(int count, Step step) throws Exception {
        try (var pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                fs.add(pool.submit(() -> {
                    for (int i = first; i < count; i += THREADS) step.run(i);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            controller.close();
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) return;
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
