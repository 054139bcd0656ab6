package netwatcher.controller.compute;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    public List<Nic> registerHost(String vmKey, HostReport host) {
        return db.inTransaction(h -> {
            Vm vm = repo.findVm(h, vmKey).orElseThrow(() -> ArmErrorCode.NotFound.exception("VM " + vmKey + " is not registered."));
            repo.updateHost(h, vmKey, host, clock.instant());
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
