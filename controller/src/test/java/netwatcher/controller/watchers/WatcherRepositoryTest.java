package netwatcher.controller.watchers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import netwatcher.controller.db.DatabaseTest;

/** {@link WatcherRepository} on embedded H2 and a real PostgreSQL. */
class WatcherRepositoryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00.123456Z");
    final WatcherRepository repo = new WatcherRepository();

    static Watcher watcher(String sub, String rg, String name, String location) {
        return new Watcher(ArmResourceId.of(sub, rg, "Microsoft.Network", "networkWatchers", name), location,
                Map.of("env", "test"), "W/\"" + name + "\"", "Succeeded", T);
    }

    @DatabaseTest
    void insert_thenFind_returnsEqualWatcherIgnoringNameCase(Database db) {
        Watcher w = watcher("Sub-A", "NetworkWatcherRG", "NetworkWatcher_westeurope", "westeurope");
        repo.insert(db, w);

        assertEquals(Optional.of(w), repo.find(db, w.id()));
        ArmResourceId otherCase = ArmResourceId.of("sub-a", "networkwatcherrg", "Microsoft.Network", "networkWatchers", "NETWORKWATCHER_WESTEUROPE");
        assertEquals(Optional.of(w), repo.find(db, otherCase));
        assertEquals(Optional.of(w), repo.findByLocation(db, "SUB-A", "westeurope"));
        assertEquals(Optional.empty(), repo.findByLocation(db, "sub-a", "northeurope"));
    }

    @DatabaseTest
    void insert_whenSameIdInOtherCase_isUniqueViolation(Database db) {
        repo.insert(db, watcher("s", "rg", "nw", "westeurope"));
        DatabaseException e = assertThrows(DatabaseException.class, () -> repo.insert(db, watcher("S", "RG", "NW", "westeurope")));
        assertTrue(e.isUniqueViolation(), e.getMessage());
    }

    @DatabaseTest
    void list_perSubscriptionAndGroup_isOrderedAndFiltered(Database db) {
        Watcher a = watcher("s", "rg1", "b", "westeurope");
        Watcher b = watcher("s", "rg2", "a", "northeurope");
        Watcher other = watcher("t", "rg1", "c", "westeurope");
        repo.insert(db, a);
        repo.insert(db, b);
        repo.insert(db, other);

        assertEquals(java.util.List.of(a, b), repo.list(db, "S", null));
        assertEquals(java.util.List.of(b), repo.list(db, "s", "RG2"));
        assertEquals(java.util.List.of(), repo.list(db, "u", null));
    }

    @DatabaseTest
    void updateTagsAndDelete_changeWhatIsStored(Database db) {
        Watcher w = watcher("s", "rg", "nw", "westeurope");
        repo.insert(db, w);
        Watcher tagged = new Watcher(w.id(), w.location(), Map.of("a", "1", "b", "2"), "W/\"new\"", w.provisioningState(), w.createdAt());
        repo.updateTags(db, tagged);

        assertEquals(Optional.of(tagged), repo.find(db, w.id()));
        assertTrue(repo.delete(db, w.id()));
        assertFalse(repo.delete(db, w.id()));
        assertEquals(Optional.empty(), repo.find(db, w.id()));
    }
}
