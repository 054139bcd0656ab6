package netwatcher.controller.watchers;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import netwatcher.controller.db.Handle;
import netwatcher.controller.resources.ArmNames;

/** Network watchers: one per subscription and location. Thread-safe. */
public final class WatcherService {
    public static final String TYPE = "networkWatchers";
    public static final String DEFAULT_GROUP = "NetworkWatcherRG";
    private final Database db;
    private final WatcherRepository repo;
    private final Clock clock;
    private final List<Consumer<Handle>> deleteHooks = new CopyOnWriteArrayList<>();
    private final List<WatcherDeleteListener> listeners = new CopyOnWriteArrayList<>();

    /** Called inside the delete transaction of a watcher, to delete what lives under it. */
    @FunctionalInterface
    public interface WatcherDeleteListener {
        void deleting(Handle handle, Watcher watcher);
    }

    public WatcherService(Database db, WatcherRepository repo, Clock clock) {
        this.db = db;
        this.repo = repo;
        this.clock = clock;
    }

    public void onDelete(WatcherDeleteListener listener) { listeners.add(listener); }

    public static ArmResourceId id(String sub, String rg, String name) {
        return ArmResourceId.of(sub, rg, "Microsoft.Network", TYPE, name);
    }

    /** The watcher, or 404 ResourceNotFound in ARM's words. */
    public Watcher require(ArmResourceId id) {
        return repo.find(db, id).orElseThrow(() -> notFound(id));
    }

    public Optional<Watcher> find(ArmResourceId id) { return repo.find(db, id); }

    public static netwatcher.arm.ArmException notFound(ArmResourceId id) {
        return ArmErrorCode.ResourceNotFound.exception("The Resource 'Microsoft.Network/networkWatchers/" + id.name()
                + "' under resource group '" + id.resourceGroup() + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
    }

    /** Result of a PUT: the watcher and whether it was created (201) or updated (200). */
    public record PutResult(Watcher watcher, boolean created) {}

    /**
     * Creates or updates; {@code etagCheck} runs with the current etag (null when absent) before any change. Two PUTs
     * of one new watcher at once (on this controller or on two sharing the database) both insert; the one that loses
     * on the primary key runs again and finds the winner's watcher, so it answers as a PUT that came second would
     * (200 updated, or 409 for another location), never 500. Another name in the same location loses on the
     * one-watcher-per-location constraint and answers {@code NetworkWatcherCountLimitReached}, as a later PUT would.
     */
    public PutResult put(ArmResourceId id, String location, Map<String, String> tags, Consumer<String> etagCheck) {
        try {
            return putOnce(id, location, tags, etagCheck);
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) throw e;
            return putOnce(id, location, tags, etagCheck); // sees the winner's row now
        }
    }

    private PutResult putOnce(ArmResourceId id, String location, Map<String, String> tags, Consumer<String> etagCheck) {
        String loc = ArmNames.location(location);
        return db.inTransaction(h -> {
            Optional<Watcher> existing = repo.find(h, id);
            Optional<Watcher> inLocation = existing.isPresent() ? Optional.empty() : repo.findByLocation(h, id.subscriptionId(), loc);
            if (inLocation.isPresent() && inLocation.get().id().key().equals(id.key())) {
                existing = inLocation; // committed by a concurrent PUT between the two reads (READ COMMITTED): it is this watcher
            }
            etagCheck.accept(existing.map(Watcher::etag).orElse(null));
            if (existing.isPresent()) {
                Watcher w = existing.get();
                if (!w.location().equals(loc)) {
                    throw ArmErrorCode.Conflict.exception("Network watcher '" + id.name() + "' is in location '" + w.location()
                            + "'; the location of a resource cannot change (was given '" + location + "').", "location");
                }
                Watcher updated = new Watcher(w.id(), w.location(), tags, ArmNames.newEtag(), "Succeeded", w.createdAt());
                repo.updateTags(h, updated);
                return new PutResult(updated, false);
            }
            if (inLocation.isPresent()) {
                throw ArmErrorCode.NetworkWatcherCountLimitReached.exception(
                        "Cannot create more than 1 network watchers for this subscription in this region.");
            }
            Watcher w = new Watcher(id, loc, tags, ArmNames.newEtag(), "Succeeded", clock.instant());
            repo.insert(h, w);
            return new PutResult(w, true);
        });
    }

    public Watcher updateTags(ArmResourceId id, Map<String, String> tags, Consumer<String> etagCheck) {
        return db.inTransaction(h -> {
            Watcher w = repo.find(h, id).orElseThrow(() -> notFound(id));
            etagCheck.accept(w.etag());
            Watcher updated = new Watcher(w.id(), w.location(), tags, ArmNames.newEtag(), w.provisioningState(), w.createdAt());
            repo.updateTags(h, updated);
            return updated;
        });
    }

    /** Deletes the watcher and what lives under it; empty when it did not exist. */
    public Optional<Watcher> delete(ArmResourceId id) {
        return db.inTransaction(h -> {
            Optional<Watcher> w = repo.find(h, id);
            if (w.isEmpty()) return Optional.<Watcher>empty();
            for (WatcherDeleteListener l : listeners) l.deleting(h, w.get());
            repo.delete(h, id);
            return w;
        });
    }

    public List<Watcher> list(String sub, String rg) { return repo.list(db, sub, rg); }

    /** The watcher of {@code location} in the subscription, if any. */
    public Optional<Watcher> forLocation(String sub, String location) {
        return repo.findByLocation(db, sub, ArmNames.location(location));
    }

    /** Creates {@code NetworkWatcher_{location}} in NetworkWatcherRG unless the location has a watcher. */
    public void ensureDefault(String sub, String location) {
        String loc = ArmNames.location(location);
        if (repo.findByLocation(db, sub, loc).isPresent()) return;
        try {
            put(id(sub, DEFAULT_GROUP, "NetworkWatcher_" + loc), loc, Map.of(), etag -> { });
        } catch (netwatcher.arm.ArmException e) {
            if (e.code() != ArmErrorCode.NetworkWatcherCountLimitReached) throw e; // a concurrent registration won
        } catch (netwatcher.controller.db.DatabaseException e) {
            // two first hosts of a location registering at once: both inserted, the other one won the primary key
            if (repo.findByLocation(db, sub, loc).isEmpty()) throw e;
        }
    }
}
