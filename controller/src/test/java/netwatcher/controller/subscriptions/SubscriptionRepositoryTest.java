package netwatcher.controller.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import netwatcher.controller.db.DatabaseTest;

/** {@link SubscriptionRepository} on embedded H2 and a real PostgreSQL. */
class SubscriptionRepositoryTest {
    final SubscriptionRepository repo = new SubscriptionRepository();

    @DatabaseTest
    void insert_thenFindIgnoringCase_andListInCreationOrder(Database db) {
        Subscription b = new Subscription("BBBB-0002", "second", Instant.parse("2030-01-02T00:00:00.000001Z"));
        Subscription a = new Subscription("aaaa-0001", "first", Instant.parse("2030-01-01T00:00:00.999999Z"));
        repo.insert(db, b);
        repo.insert(db, a);

        assertEquals(Optional.of(b), repo.find(db, "bbbb-0002"));
        assertEquals(Optional.of(a), repo.find(db, "AAAA-0001"));
        assertEquals(Optional.empty(), repo.find(db, "cccc"));
        assertEquals(List.of(a, b), repo.all(db));
    }

    @DatabaseTest
    void insert_whenIdDiffersOnlyInCase_isUniqueViolation(Database db) {
        repo.insert(db, new Subscription("abc", "x", Instant.parse("2030-01-01T00:00:00Z")));
        DatabaseException e = assertThrows(DatabaseException.class,
                () -> repo.insert(db, new Subscription("ABC", "y", Instant.parse("2030-01-01T00:00:00Z"))));
        assertTrue(e.isUniqueViolation(), e.getMessage());
    }
}
