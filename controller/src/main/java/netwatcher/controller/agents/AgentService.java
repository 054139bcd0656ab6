package netwatcher.controller.agents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.capture.CaptureService;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.Caller;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.watchers.WatcherService;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.EnrollResponse;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.Reports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Enrollment, agent credentials, host registration, orders and reports. Thread-safe. */
public final class AgentService {
    private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);
    private final Database db;
    private final AgentRepository repo;
    private final ComputeService compute;
    private final WatcherService watchers;
    private final SubscriptionService subscriptions;
    private final EnrollmentTokens tokens;
    private final Presence presence;
    private final Clock clock;
    private CaptureService captures;
    private netwatcher.controller.connectivity.CheckService checks;

    /** The features whose resources an agent's host finds or creates: its VM and NICs, its watcher, its subscription. */
    public record Peers(ComputeService compute, WatcherService watchers, SubscriptionService subscriptions) {}

    public AgentService(Database db, AgentRepository repo, Peers peers, EnrollmentTokens tokens, Presence presence, Clock clock) {
        this.db = db;
        this.repo = repo;
        this.compute = peers.compute();
        this.watchers = peers.watchers();
        this.subscriptions = peers.subscriptions();
        this.tokens = tokens;
        this.presence = presence;
        this.clock = clock;
        for (AgentRecord a : repo.all(db)) {
            if (!a.revoked()) presence.seed(a.vmKey(), a.lastSeenAt(), a.agentVersion());
        }
    }

    /** Wires the capture feature (created after this service). */
    public void captures(CaptureService captures) { this.captures = captures; }

    /** Wires the connectivity feature (created after this service). */
    public void checks(netwatcher.controller.connectivity.CheckService checks) { this.checks = checks; }

    public EnrollResponse enroll(EnrollRequest r) {
        if (r == null || r.enrollmentToken() == null || r.enrollmentToken().isBlank()) {
            throw ArmErrorCode.InvalidRequestContent.exception("Required property 'enrollmentToken' is missing.", "enrollmentToken");
        }
        for (String[] f : new String[][] {{"subscriptionId", r.subscriptionId()}, {"resourceGroup", r.resourceGroup()},
                {"vmName", r.vmName()}, {"location", r.location()}}) {
            if (f[1] == null || f[1].isBlank()) {
                throw ArmErrorCode.InvalidRequestContent.exception("Required property '" + f[0] + "' is missing.", f[0]);
            }
        }
        EnrollmentTokens.Grant grant = tokens.redeem(r.enrollmentToken(), r.subscriptionId(), r.resourceGroup()).orElseThrow(() -> ArmErrorCode.AuthenticationFailed.exception(
                "The enrollment token is unknown, revoked, expired or used up. Ask the admin for a new one (nw admin enrollment-token create)."));
        if (grant.subscriptionId() != null && !grant.subscriptionId().equalsIgnoreCase(r.subscriptionId())
                || grant.resourceGroup() != null && !grant.resourceGroup().equalsIgnoreCase(r.resourceGroup())) {
            throw ArmErrorCode.AuthorizationFailed.exception("This enrollment token allows only subscription '" + grant.subscriptionId()
                    + "'" + (grant.resourceGroup() == null ? "" : " and resource group '" + grant.resourceGroup() + "'") + ".");
        }
        subscriptions.require(r.subscriptionId());
        String location = ArmNames.location(r.location());
        ArmResourceId vmId = ComputeService.vmId(r.subscriptionId(), ArmNames.resourceGroup(r.resourceGroup()),
                ArmNames.networkResource("virtual machine", r.vmName()));
        String agentId = UUID.randomUUID().toString();
        String secret = netwatcher.controller.auth.Secrets.generate();
        Instant now = clock.instant();
        // before the agent is recorded: a failure here must leave nothing behind, or the agent's retry
        // would find "its" VM taken by the credential it never received
        watchers.ensureDefault(r.subscriptionId(), location);
        db.inTransaction(h -> {
            Vm vm = compute.ensureVm(h, vmId, location);
            if (!vm.location().equals(location)) {
                throw ArmErrorCode.Conflict.exception("VM " + vmId.name() + " is registered in location '" + vm.location()
                        + "'; it cannot enroll in '" + location + "'.");
            }
            for (AgentRecord other : repo.forVm(h, vmId.key())) {
                var p = presence.of(vmId.key());
                if (p.connected()) {
                    throw ArmErrorCode.Conflict.exception("VM " + vmId.name() + " already has a connected agent (" + other.agentId()
                            + "). Stop it, or revoke it with nw admin agent revoke, before enrolling another.");
                }
            }
            repo.revokeForVm(h, vmId.key());
            repo.insert(h, new AgentRecord(agentId, hash(secret), vmId.key(), now, now, null, false));
            return null;
        });
        presence.touch(vmId.key(), null);
        LOG.atInfo().addKeyValue("agent", agentId).addKeyValue("vm", vmId.key()).addKeyValue("host", r.hostname()).log("agent enrolled");
        return new EnrollResponse(agentId, secret, vmId.toString());
    }

    /** Verifies an agent credential ({@code Bearer nwa.<id>.<secret>}). */
    public Caller authenticate(String header) {
        String prefix = "Bearer " + ProtocolVersion.CREDENTIAL_PREFIX;
        if (header == null || !header.startsWith(prefix)) {
            throw ArmErrorCode.AuthenticationFailed.exception("Authentication failed: agent routes need 'Authorization: Bearer nwa.<agentId>.<secret>'.");
        }
        String rest = header.substring(prefix.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) throw ArmErrorCode.AuthenticationFailed.exception("Authentication failed: malformed agent credential.");
        String agentId = rest.substring(0, dot);
        String secret = rest.substring(dot + 1);
        Optional<AgentRecord> a = repo.find(db, agentId);
        byte[] expected = a.map(x -> x.secretHash().getBytes(StandardCharsets.US_ASCII)).orElse(new byte[64]);
        boolean ok = MessageDigest.isEqual(expected, hash(secret).getBytes(StandardCharsets.US_ASCII));
        if (a.isEmpty() || !ok || a.get().revoked()) {
            throw ArmErrorCode.AuthenticationFailed.exception("Authentication failed: the agent credential is unknown or revoked; re-enroll the agent.");
        }
        return new Caller(agentId, Caller.Kind.AGENT, "agent " + agentId, a.get().vmKey());
    }

    public AgentPresenceInfo registerHost(Caller agent, HostReport host) {
        AgentInput.host(host); // before anything is recorded: a refused report changes nothing
        presence.touch(agent.vmKey(), host.agentVersion());
        repo.seen(db, agent.id(), clock.instant(), host.agentVersion());
        var nics = compute.registerHost(agent.vmKey(), host);
        Vm vm = compute.findVm(agent.vmKey()).orElseThrow();
        watchers.ensureDefault(vm.id().subscriptionId(), vm.location());
        return new AgentPresenceInfo(vm.id().toString(), nics.stream().map(n -> n.id().toString()).toList());
    }

    /** The answer to PUT /agent/v1/host. */
    public record AgentPresenceInfo(String vmId, List<String> nicIds) {}

    /** The live-stream orders of a VM's agent (vmKey, controller base URL → orders); none until set. */
    private volatile java.util.function.BiFunction<String, String, List<netwatcher.model.agent.LiveOrder>> live = (vm, base) -> List.of();

    /** Sets where the orders' live-stream part comes from ({@code capture.live.LiveHub#ordersFor}). */
    public void live(java.util.function.BiFunction<String, String, List<netwatcher.model.agent.LiveOrder>> source) { this.live = source; }

    /** Long-poll for the desired state above {@code after}, waiting up to {@code wait}. */
    public Orders orders(Caller agent, long after, Duration wait, String controllerBase) throws InterruptedException {
        String vmKey = agent.vmKey();
        presence.pollStarted(vmKey, agent.id());
        try {
            // held at most Presence.MAX_HOLD: a dead agent's open poll must end soon enough to show it lost
            Instant deadline = clock.instant().plus(wait.compareTo(Presence.MAX_HOLD) > 0 ? Presence.MAX_HOLD : wait);
            long signals = presence.signalCount(vmKey); // before the read: a wake-up after it is not lost
            long generation = compute.repository().generation(db, vmKey);
            while (true) {
                Instant now = clock.instant();
                if (generation > after || !now.isBefore(deadline)) {
                    // cluster: the poll start's lease write recorded the contact (last_seen_at); the end writes nothing
                    if (!presence.isShared()) repo.seen(db, agent.id(), now, null);
                    return new Orders(generation, captures.ordersFor(vmKey, controllerBase), checks.ordersFor(vmKey, controllerBase),
                            captures.snapshots().ordersFor(vmKey, controllerBase), live.apply(vmKey, controllerBase));
                }
                Duration left = Duration.between(now, deadline);
                Duration recheck = presence.recheck();
                boolean reliable = presence.wakeupsReliable();
                presence.await(vmKey, signals, left.compareTo(recheck) < 0 ? left : recheck);
                // not woken while wake-ups arrived reliably (before and after the wait; losing them wakes every poll):
                // every change commits, then wakes, so the generation read before the wait still holds at the hold's end
                if (reliable && presence.wakeupsReliable() && presence.signalCount(vmKey) == signals) continue;
                signals = presence.signalCount(vmKey);
                generation = compute.repository().generation(db, vmKey);
            }
        } finally {
            presence.pollEnded(vmKey, agent.id());
        }
    }

    public void reports(Caller agent, Reports reports) {
        AgentInput.reports(reports); // the whole batch, before any of it is applied
        presence.touch(agent.vmKey(), null);
        for (var r : reports.captures()) captures.applyReport(agent.vmKey(), r);
        for (var r : reports.checks()) checks.applyReport(agent.vmKey(), r);
        for (var r : reports.snapshots()) captures.snapshots().applyReport(agent.vmKey(), r);
    }

    public List<AgentRecord> all() { return repo.all(db); }

    public boolean revoke(String agentId) {
        return repo.find(db, agentId).map(a -> {
            repo.revoke(db, agentId);
            presence.forget(a.vmKey());
            LOG.atInfo().addKeyValue("agent", agentId).addKeyValue("vm", a.vmKey()).log("agent revoked");
            return true;
        }).orElse(false);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
