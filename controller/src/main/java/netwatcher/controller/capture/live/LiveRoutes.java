package netwatcher.controller.capture.live;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.agents.Presence;
import netwatcher.controller.capture.Capture;
import netwatcher.controller.capture.CaptureService;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.watchers.Watcher;
import netwatcher.controller.watchers.WatcherRoutes;
import netwatcher.controller.watchers.WatcherService;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.capture.CaptureStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream's two routes: the ARM extension {@code GET .../packetCaptures/{name}/stream} (authorized like the
 * capture's GET, so a Reader may watch) and the agent's {@code POST /agent/v1/captures/{key}/live} (only for its own
 * captures). Thread-safe.
 */
public final class LiveRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRoutes.class);
    /** Largest agent post (the agent sends at most 1 MiB of records a post). */
    static final int MAX_POST = 1 << 20;
    /** The stream's media type (what Wireshark registers for pcapng). */
    public static final String MEDIA_TYPE = "application/x-pcapng";

    /** What the routes work with. */
    public record Peers(CaptureService captures, WatcherService watchers, SubscriptionService subscriptions,
                        ComputeService compute, Presence presence, Database db) {}

    private final Peers peers;
    private final LiveHub hub;
    /** The relays from the cluster's other controllers; null with one controller. */
    private final PeerRelays relays;

    /** The routes of one controller (no relay). */
    public LiveRoutes(Peers peers, LiveHub hub) {
        this(peers, hub, null);
    }

    /** The routes of a cluster member: hosts whose agent talks to another controller are relayed through {@code relays}. */
    public LiveRoutes(Peers peers, LiveHub hub, PeerRelays relays) {
        this.peers = peers;
        this.hub = hub;
        this.relays = relays;
        peers.captures().onChange(this::captureChanged);
    }

    public void register(Router router) {
        router.add("GET", WatcherRoutes.NW + "/packetCaptures/{pc}/stream", Router.Kind.ARM, this::stream);
        router.add("POST", ProtocolVersion.PREFIX + "/captures/{key}/live", Router.Kind.AGENT, this::post);
        // authenticated by the handler (a peer controller's token), not by the ARM or agent pipelines
        if (relays != null) router.add("GET", PeerRelays.PREFIX + "{key}", Router.Kind.PUBLIC, this::relay);
    }

    private Capture capture(Map<String, String> v) {
        peers.subscriptions().require(v.get("sub"));
        Watcher w = peers.watchers().require(WatcherService.id(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), v.get("nw")));
        ArmResourceId id = w.id().child("packetCaptures", ArmNames.networkResource("packet capture", v.get("pc")));
        return peers.captures().require(id);
    }

    private void stream(Exchange ex, Map<String, String> v) throws IOException, InterruptedException {
        ex.noBody();
        Capture c = capture(v);
        List<Capture> hosts = peers.captures().hostCaptures(c);
        List<Capture> live = hosts.stream().filter(h -> !h.terminal() && !h.finalState()).toList();
        if (live.isEmpty()) {
            CaptureStatus status = peers.captures().visibleStatus(c);
            throw ArmErrorCode.PacketCaptureNotRunning.exception("Packet capture " + c.id().name() + " is " + status
                    + (c.stopReason() == null ? "" : " (" + c.stopReason().name() + ")")
                    + ": only a running capture can be streamed; download its file instead.", "name");
        }
        List<LiveSource> sources = new ArrayList<>();
        List<LiveSource> local = new ArrayList<>();
        List<Relayed> remote = new ArrayList<>();
        for (Capture h : live) {
            LiveSource src = source(h);
            sources.add(src);
            var peer = remotePeer(h);
            if (peer.isPresent()) remote.add(new Relayed(src, peer.get(), vmName(h)));
            else local.add(src);
        }
        LiveStream s;
        try {
            s = hub.open(c.key(), c.id().name(), sources);
        } catch (netwatcher.arm.ArmException e) {
            ex.setHeader("Retry-After", Long.toString(LiveHub.RETRY_AFTER.toSeconds()));
            throw e;
        }
        List<PeerRelays.Relay> opened = new ArrayList<>();
        try {
            for (Relayed r : remote) opened.add(relays.open(r.peer(), r.source(), r.vmName(), s));
        } catch (RuntimeException | InterruptedException e) { // an ARM refusal, or a fault (the registry's database): nothing stays open
            for (PeerRelays.Relay r : opened) r.close();
            hub.close(s);
            if (e instanceof netwatcher.arm.ArmException a && a.status() >= 429) {
                ex.setHeader("Retry-After", Long.toString((a.status() == 429 ? LiveHub.RETRY_AFTER : PeerRelays.RETRY_AFTER).toSeconds()));
            }
            throw e;
        }
        LOG.atInfo().addKeyValue("capture", c.id()).addKeyValue("hosts", sources.size()).addKeyValue("relayed", remote.size())
                .log("live stream opened");
        try {
            wakeAgents(local);
            ex.setHeader("Cache-Control", "no-store");
            ex.setHeader("X-Content-Type-Options", "nosniff");
            try (OutputStream out = ex.stream(200, MEDIA_TYPE, -1)) {
                s.pump(out); // closing ends the chunked answer: the reader sees the stream's end
            }
        } catch (IOException e) {
            LOG.atDebug().addKeyValue("capture", c.id()).log("live stream reader went away: {}", e.toString());
        } finally {
            for (PeerRelays.Relay r : opened) r.close();
            hub.close(s);
            wakeAgents(local);
            LOG.atInfo().addKeyValue("capture", c.id()).addKeyValue("delivered", s.delivered()).addKeyValue("missed", s.missed())
                    .log("live stream closed");
        }
    }

    /**
     * The peer controller whose hub gets host capture {@code h}'s live posts: the one its agent long-polls, when that
     * is another controller of the cluster (and it is connected); empty when the agent talks to this controller.
     */
    private java.util.Optional<String> remotePeer(Capture h) {
        if (relays == null || !peers.presence().isShared() || peers.presence().pollsHere(h.vmKey())
                || !peers.presence().of(h.vmKey()).connected()) {
            return java.util.Optional.empty();
        }
        return relays.peerOf(h.vmKey());
    }

    /** A host of a stream whose records come from peer controller {@code peer}, which holds its agent. */
    private record Relayed(LiveSource source, String peer, String vmName) {}

    /**
     * {@code GET /internal/v1/live/{key}}: a peer controller relays host capture {@code key} to its reader. Only for the
     * cluster's controllers (a {@link netwatcher.controller.cluster.PeerTokens} token for this key); watched in this
     * controller's hub like a reader's stream (its limits apply), sent as {@link RelayFrames}.
     */
    private void relay(Exchange ex, Map<String, String> v) throws IOException, InterruptedException {
        String key = v.get("key");
        String caller = relays.verify(ex.header("Authorization"), key);
        ex.noBody();
        Capture h = peers.captures().findByKey(key)
                .orElseThrow(() -> ArmErrorCode.NotFound.exception("Host capture " + key + " does not exist.", "key"));
        if (h.terminal() || h.finalState() || h.deleted()) {
            throw ArmErrorCode.PacketCaptureNotRunning.exception("Host capture " + key + " has ended: nothing to relay.", "key");
        }
        LiveSource src = source(h);
        LiveStream s;
        try {
            s = hub.open(RELAY_KEY + key, h.id().name(), List.of(src));
        } catch (netwatcher.arm.ArmException e) {
            ex.setHeader("Retry-After", Long.toString(LiveHub.RETRY_AFTER.toSeconds()));
            throw e;
        }
        LOG.atInfo().addKeyValue("capture", h.id()).addKeyValue("for", caller).log("live relay opened");
        try {
            wakeAgents(List.of(src));
            ex.setHeader("Cache-Control", "no-store");
            try (OutputStream out = ex.stream(200, RELAY_MEDIA_TYPE, -1)) {
                s.relayTo(out);
            }
        } catch (IOException e) {
            LOG.atDebug().addKeyValue("capture", h.id()).log("live relay's controller went away: {}", e.toString());
        } finally {
            hub.close(s);
            wakeAgents(List.of(src));
            LOG.atInfo().addKeyValue("capture", h.id()).addKeyValue("delivered", s.delivered()).addKeyValue("missed", s.missed())
                    .log("live relay closed");
        }
    }

    /** A relay's stream in this controller's hub is counted apart from the readers' streams of the same capture. */
    static final String RELAY_KEY = "relay:";
    /** The relay's media type (internal; {@link RelayFrames}). */
    static final String RELAY_MEDIA_TYPE = "application/vnd.netwatcher.live-relay";

    private LiveSource source(Capture h) {
        String vm = vmName(h);
        List<Nic> nics = peers.compute().nicsOf(h.vmKey());
        // one classic pcap per host capture: one NIC's frames, or several NICs' (LINUX_SLL2) shown as vm/any (as the merge does)
        String nic = nics.size() == 1 ? nics.getFirst().interfaceName() : "any";
        return new LiveSource(h.key(), h.vmKey(), vm + "/" + nic, "host " + vm + ", capture " + h.id());
    }

    private String vmName(Capture h) {
        return peers.compute().findVm(h.vmKey()).map(vm -> vm.id().name()).orElse(h.vmKey());
    }

    /** The agents' orders changed (a watch began or ended): a new generation, and their long-polls woken. */
    private void wakeAgents(List<LiveSource> sources) {
        for (LiveSource src : sources) {
            peers.db().inTransaction(h -> peers.compute().repository().bumpGeneration(h, src.vmKey()));
            peers.presence().signal(src.vmKey());
        }
    }

    private void post(Exchange ex, Map<String, String> v) {
        String key = v.get("key");
        Capture c = peers.captures().findByKey(key).filter(x -> x.vmKey().equals(ex.caller().vmKey()))
                .orElseThrow(() -> ArmErrorCode.NotFound.exception("Capture " + key + " is not one of this agent's captures."));
        String file = ex.query("file");
        if (file == null || file.isBlank() || file.length() > 255 || file.contains("/")) {
            throw ArmErrorCode.InvalidParameter.exception("Query parameter 'file' must be the name of the capture's file.", "file");
        }
        long offset;
        try {
            offset = Long.parseLong(ex.query("offset"));
        } catch (NumberFormatException e) {
            throw ArmErrorCode.InvalidParameter.exception("Query parameter 'offset' must be a number of bytes.", "offset");
        }
        if (offset < 24) throw ArmErrorCode.InvalidParameter.exception("Query parameter 'offset' starts after the 24-byte header.", "offset");
        boolean last = "true".equalsIgnoreCase(ex.query("last"));
        boolean watching = hub.ingest(c.key(), new LiveHub.LivePost(file, offset, ex.body(MAX_POST), last));
        ex.json(200, Map.of("watching", watching));
    }

    private void captureChanged(String key) {
        if (!hub.watched(key)) return;
        peers.captures().findByKey(key).filter(c -> c.terminal() || c.finalState() || c.deleted()).ifPresent(c -> hub.ended(key));
    }
}
