package netwatcher.controller.cluster;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's controllers in {@code nw_controller}: each controller's id (the one agent presence records in
 * {@code nw_agent.controller_id}), its own direct URL reachable by the other controllers ({@code peerUrl}, not the
 * balancer's) and a heartbeat. A controller registers at start, beats with the sweeper (every
 * {@link #HEARTBEAT}), and deletes its row at a clean stop; a row whose heartbeat is older than {@link #GONE_AFTER}
 * names a controller that is gone (killed), which {@link #peerUrl} does not offer. Thread-safe (the database is).
 */
public final class ControllerRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerRegistry.class);
    /** How often a controller renews its row. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** A heartbeat older than this: the controller is gone (several missed beats, so a busy database is not death). */
    public static final Duration GONE_AFTER = Duration.ofSeconds(30);

    private final Database db;
    private final String selfId;
    private final InstantSource clock;
    /** Set by {@link #register} once the controller listens. */
    private volatile URI selfUrl;

    public ControllerRegistry(Database db, String selfId, InstantSource clock) {
        this.db = db;
        this.selfId = selfId;
        this.clock = clock;
    }

    /** This controller's id. */
    public String selfId() { return selfId; }

    /** This controller's own URL, as its peers (and, for live posts, its agents) reach it; null before {@link #register}. */
    public URI selfUrl() { return selfUrl; }

    /** Registers this controller under {@code url} (its row replaced if a restart reused the id, which random ids never do). */
    public void register(URI url) {
        this.selfUrl = url;
        register();
    }

    private void register() {
        Instant now = clock.instant();
        db.upsert("nw_controller", java.util.List.of("id"),
                java.util.Map.of("id", selfId, "peer_url", selfUrl.toString(), "started_at", now, "heartbeat_at", now));
    }

    /** Renews this controller's heartbeat; a database fault is logged (the next beat retries). */
    public void heartbeat() {
        try {
            if (db.update("UPDATE nw_controller SET heartbeat_at = ? WHERE id = ?", clock.instant(), selfId) == 0) register();
        } catch (DatabaseException | IllegalStateException e) {
            LOG.atWarn().log("controller registry: heartbeat not written ({})", e.toString());
        }
    }

    /** Removes this controller's row (a clean stop): its peers stop offering it at once. */
    public void deregister() {
        try {
            db.update("DELETE FROM nw_controller WHERE id = ?", selfId);
        } catch (DatabaseException | IllegalStateException e) {
            LOG.atDebug().log("controller registry: row not removed, it ages out ({})", e.toString());
        }
    }

    /** The direct URL of controller {@code id} while its heartbeat is fresh; empty when unknown or gone. */
    public Optional<URI> peerUrl(String id) {
        Instant fresh = clock.instant().minus(GONE_AFTER);
        return db.queryOne("SELECT peer_url, heartbeat_at FROM nw_controller WHERE id = ?",
                        r -> r.getInstant("heartbeat_at").isAfter(fresh) ? r.getString("peer_url") : null, id)
                .map(URI::create);
    }

    /**
     * The default peer URL: the scheme, the first {@code listen} address (else {@code host}) and the port. A wildcard
     * host with no {@code listen} address names this machine's host name.
     */
    public static URI defaultPeerUrl(boolean tls, String host, java.util.List<String> extraListen, int port) {
        String address = extraListen.isEmpty() ? host : extraListen.getFirst();
        if (address.equals("0.0.0.0") || address.equals("::")) {
            try {
                address = java.net.InetAddress.getLocalHost().getCanonicalHostName();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("setting 'peerUrl': host " + address + " is a wildcard and this machine's name"
                        + " cannot be found; set peerUrl", e);
            }
        }
        if (address.contains(":") && !address.startsWith("[")) address = "[" + address + "]";
        return URI.create((tls ? "https://" : "http://") + address + ":" + port);
    }
}
