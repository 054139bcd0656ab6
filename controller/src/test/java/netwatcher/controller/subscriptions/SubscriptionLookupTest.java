package netwatcher.controller.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;

/**
 * {@link SubscriptionService#require}, the check every ARM route makes: a subscription found once is answered from
 * memory (the database is not read again), an unknown one is read each time, so one created meanwhile (by another
 * controller) is found. H2 and PostgreSQL.
 */
class SubscriptionLookupTest {
    final Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    final SubscriptionRepository repo = new SubscriptionRepository();

    @DatabaseTest
    void found_isAnsweredFromMemory_caseInsensitively(Database db) {
        SubscriptionService service = new SubscriptionService(db, repo, clock);
        Subscription created = service.create("Sub-A", "a");
        assertEquals(created, service.require("sub-a"));
        // the row goes behind the service's back (no API deletes a subscription): the service does not read again
        db.update("DELETE FROM nw_subscription WHERE id_key = ?", "sub-a");
        assertEquals(created, service.require("SUB-A"));
        assertThrows(ArmException.class, () -> new SubscriptionService(db, repo, clock).require("sub-a"),
                "a fresh service reads the database and does not find it: the first one answered from memory");
    }

    @DatabaseTest
    void unknown_isReadEachTime_soOneCreatedMeanwhileIsFound(Database db) {
        SubscriptionService service = new SubscriptionService(db, repo, clock);
        ArmException missing = assertThrows(ArmException.class, () -> service.require("sub-b"));
        assertEquals(ArmErrorCode.SubscriptionNotFound, missing.code());
        new SubscriptionService(db, repo, clock).create("sub-b", "made by another controller");
        assertEquals("sub-b", service.require("sub-b").id());
    }
}
