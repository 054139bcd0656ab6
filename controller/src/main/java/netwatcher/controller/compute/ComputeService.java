package netwatcher.controller.compute;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.SqlOperations;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;

/** Registered hosts as VMs and NICs. Thread-safe. */
public final class ComputeService {
    private final Database db;
    private final ComputeRepository repo;
    private final Clock clock;
    private final ScaleSetRepository scaleSets = new ScaleSetRepository();

    public ComputeService(Database db, ComputeRepository repo, Clock clock) {
        this.db = db;
        this.repo = repo;
        this.clock = clock;
    }

    public static ArmResourceId vmId(String sub, String rg, String name) {
        return ArmResourceId.of(sub, rg, "Microsoft.Compute", "virtualMachines", name);
    }

    public Database database() { return db; }

    public ComputeRepository repository() { return repo; }

    /** The VM, creating it (no NICs yet) when new. Runs inside the caller's transaction. */
    public Vm ensureVm(SqlOperations sql, ArmResourceId id, String location) {
        Optional<Vm> existing = repo.findVm(sql, id.key());
        if (existing.isPresent()) return existing.get();
        Instant now = clock.instant();
        Vm vm = new Vm(id, location, UUID.randomUUID().toString(), new HostReport(null, null, null, List.of(), List.of(), List.of()),
                0, now, now);
        repo.insertVm(sql, vm);
        return vm;
    }

    /** Records a host report: the host details and its NICs. */
    public List<Nic> registerHost(String vmKey, HostReport report) {
        return db.inTransaction(h -> {
            Vm vm = repo.findVm(h, vmKey).orElseThrow(() -> ArmErrorCode.NotFound.exception("VM " + vmKey + " is not registered."));
            HostReport host = withoutForeignAddresses(h, vm, report);
            repo.updateHost(h, vmKey, host, clock.instant());
            joinScaleSet(h, vm, report.scaleSet());
            List<Nic> nics = new ArrayList<>();
            int position = 0;
            boolean primarySeen = false;
            for (NicReport n : host.nics()) {
                boolean primary = !primarySeen && (n.primary() || !n.addresses().isEmpty());
                primarySeen |= primary;
                ArmResourceId nicId = ArmResourceId.of(vm.id().subscriptionId(), vm.id().resourceGroup(), "Microsoft.Network",
                        "networkInterfaces", vm.id().name() + "-" + n.name());
                nics.add(new Nic(nicId, vmKey, vm.id(), vm.location(), n.name(), n.macAddress(), primary, n.addresses(), position++));
            }
            repo.replaceNics(h, vmKey, nics);
            return nics;
        });
    }

    /**
     * The report without the addresses another VM of the subscription registered first: an address
     * has one owner (a rogue or misconfigured agent must not become the owner of another VM's
     * address, which would make it a hop of that VM's paths). Each dropped address is named in the
     * host's {@code problems}, so it shows on the VM's extension instance view.
     */
    private HostReport withoutForeignAddresses(SqlOperations h, Vm vm, HostReport report) {
        Map<InetAddress, String> owners = new HashMap<>();
        List<String> ipv4 = new ArrayList<>();
        boolean anyIpv6 = false;
        for (NicReport n : report.nics()) {
            for (String cidr : n.addresses()) {
                Optional<IpLiteral> a = IpLiteral.prefix(cidr);
                if (a.isEmpty()) continue;
                if (a.get().address() instanceof Inet4Address) ipv4.add(a.get().address().getHostAddress());
                else anyIpv6 = true;
            }
        }
        for (Nic n : repo.nicsMayHold(h, vm.id().subscriptionId(), vm.id().key(), ipv4, anyIpv6)) {
            if (n.vmKey().equals(vm.id().key())) continue;
            for (String cidr : n.addresses()) {
                IpLiteral.prefix(cidr).ifPresent(a -> owners.putIfAbsent(a.address(), n.vmId().name()));
            }
        }
        if (owners.isEmpty()) return report;
        List<String> problems = new ArrayList<>(report.problems());
        List<NicReport> nics = new ArrayList<>();
        for (NicReport n : report.nics()) {
            List<String> kept = new ArrayList<>();
            for (String cidr : n.addresses()) {
                String owner = IpLiteral.prefix(cidr).map(a -> owners.get(a.address())).orElse(null);
                if (owner == null) {
                    kept.add(cidr);
                } else {
                    problems.add("address " + cidr + " of " + n.name() + " is already registered by VM " + owner
                            + " of this subscription; it is not recorded for this VM");
                }
            }
            nics.add(kept.size() == n.addresses().size() ? n : new NicReport(n.name(), n.macAddress(), kept, n.primary()));
        }
        if (problems.size() == report.problems().size()) return report;
        return report.withNicsAndProblems(nics, problems);
    }

    /**
     * Makes the VM an instance of scale set {@code name} (in its resource group), or of none when
     * null: a VM that joins gets the set's next free instance id and keeps it while it stays; one that
     * moves to another set or leaves loses it. Two VMs joining one set at the same moment collide on
     * the instance id's unique constraint; the loser's host report fails and its agent sends it again.
     */
    private void joinScaleSet(SqlOperations sql, Vm vm, String name) {
        Optional<ScaleSetInstance> current = scaleSets.membership(sql, vm.id().key());
        if (name == null) {
            current.ifPresent(c -> scaleSets.delete(sql, vm.id().key()));
            return;
        }
        ArmResourceId set = scaleSetId(vm.id().subscriptionId(), vm.id().resourceGroup(), name);
        if (current.isPresent() && current.get().scaleSetId().key().equals(set.key())) return;
        current.ifPresent(c -> scaleSets.delete(sql, vm.id().key()));
        List<ScaleSetInstance> members = scaleSets.instances(sql, set);
        String uuid = members.isEmpty() ? UUID.randomUUID().toString() : members.getFirst().setUuid();
        scaleSets.insert(sql, new ScaleSetInstance(set, scaleSets.nextInstanceId(sql, set), vm.id().key(), uuid, clock.instant()));
    }

    public static ArmResourceId scaleSetId(String sub, String rg, String name) {
        return ArmResourceId.of(sub, rg, "Microsoft.Compute", "virtualMachineScaleSets", name);
    }

    /** The VM's place in a scale set, if it is an instance of one. */
    public Optional<ScaleSetInstance> scaleSetOf(String vmKey) { return scaleSets.membership(db, vmKey); }

    /** The instances of a scale set, by instance id (empty: no such set). */
    public List<ScaleSetInstance> instances(ArmResourceId scaleSet) { return scaleSets.instances(db, scaleSet); }

    /** The instances of a scale set, or ResourceNotFound as ARM words it. */
    public List<ScaleSetInstance> requireInstances(ArmResourceId scaleSet) {
        List<ScaleSetInstance> instances = instances(scaleSet);
        if (instances.isEmpty()) {
            throw ArmErrorCode.ResourceNotFound.exception("The Resource 'Microsoft.Compute/virtualMachineScaleSets/" + scaleSet.name()
                    + "' under resource group '" + scaleSet.resourceGroup() + "' was not found.");
        }
        return instances;
    }

    /** Every scale-set instance of a subscription (and group unless null), by set then instance id. */
    public List<ScaleSetInstance> listInstances(String sub, String rg) { return scaleSets.list(db, sub, rg); }

    public Optional<Vm> findVm(ArmResourceId id) { return repo.findVm(db, id.key()); }

    public Optional<Vm> findVm(String vmKey) { return repo.findVm(db, vmKey); }

    public Vm requireVm(ArmResourceId id) {
        return findVm(id).orElseThrow(() -> ArmErrorCode.ResourceNotFound.exception("The Resource 'Microsoft.Compute/virtualMachines/"
                + id.name() + "' under resource group '" + id.resourceGroup() + "' was not found."));
    }

    public List<Vm> listVms(String sub, String rg) { return repo.listVms(db, sub, rg); }

    public List<Nic> nicsOf(String vmKey) { return repo.nicsOf(db, vmKey); }

    public Optional<Nic> findNic(ArmResourceId id) { return repo.findNic(db, id); }

    public List<Nic> listNics(String sub, String rg) { return repo.listNics(db, sub, rg); }
}
