package netwatcher.controller.watchers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseConfig;
import netwatcher.controller.subscriptions.SubscriptionRepository;
import netwatcher.controller.subscriptions.SubscriptionService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default watcher of a location, created by the first hosts that register there, at once (real H2). */
class DefaultWatcherRaceTest {
    @TempDir
    Path dir;

    @Test
    void ensureDefault_whenManyHostsOfANewLocationRegisterAtOnce_noneFailsAndOneWatcherExists() throws Exception {
        try (Database db = Database.open(DatabaseConfig.embedded(dir)); var pool = Executors.newFixedThreadPool(8)) {
            String sub = new SubscriptionService(db, new SubscriptionRepository(), Clock.systemUTC()).ensureDefault().id();
            WatcherService watchers = new WatcherService(db, new WatcherRepository(), Clock.systemUTC());
            for (int round = 0; round < 20; round++) {
                String location = "racelocation" + round;
                CyclicBarrier together = new CyclicBarrier(8);
                List<Future<?>> registrations = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    registrations.add(pool.submit(() -> {
                        together.await();
                        watchers.ensureDefault(sub, location);
                        return null;
                    }));
                }
                for (Future<?> f : registrations) f.get(); // throws if any registration failed
                assertEquals(1, watchers.list(sub, "NetworkWatcherRG").stream().filter(w -> w.location().equals(location)).count());
            }
        }
    }
}
