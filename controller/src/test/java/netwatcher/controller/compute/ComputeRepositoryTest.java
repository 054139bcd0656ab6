package netwatcher.controller.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;

/** {@link ComputeRepository} on embedded H2 and a real PostgreSQL. */
class ComputeRepositoryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00.123456Z");
    final ComputeRepository repo = new ComputeRepository();

    static Vm vm(String sub, String rg, String name) {
        HostReport host = new HostReport("1.0", name, "Debian",
                List.of(new NicReport("eth0", "02:00:00:00:00:01", List.of("198.18.1.10/24", "2001:2::10/64"), true)),
                List.of("capture"), List.of());
        return new Vm(ArmResourceId.of(sub, rg, "Microsoft.Compute", "virtualMachines", name), "westeurope",
                "uuid-" + name, host, 0, T, T);
    }

    static Nic nic(Vm vm, String itf, int position, boolean primary) {
        return new Nic(ArmResourceId.of(vm.id().subscriptionId(), vm.id().resourceGroup(), "Microsoft.Network", "networkInterfaces",
                vm.id().name() + "-" + itf), vm.id().key(), vm.id(), vm.location(), itf, "02:00:00:00:00:0" + position, primary,
                List.of("198.18.1." + (10 + position) + "/24"), position);
    }

    @DatabaseTest
    void insertVm_thenFindAndList_returnEqualVms(Database db) {
        Vm a = vm("s", "lab", "vm-b");
        Vm b = vm("S", "other", "vm-a");
        repo.insertVm(db, a);
        repo.insertVm(db, b);

        assertEquals(Optional.of(a), repo.findVm(db, a.id().key()));
        assertEquals(List.of(a, b), repo.listVms(db, "s", null));
        assertEquals(List.of(b), repo.listVms(db, "s", "OTHER"));
        assertEquals(Optional.empty(), repo.findVm(db, "nope"));
    }

    @DatabaseTest
    void bumpGenerationAndUpdateHost_changeTheVm(Database db) {
        Vm a = vm("s", "lab", "vm1");
        repo.insertVm(db, a);
        assertEquals(1, repo.bumpGeneration(db, a.id().key()));
        assertEquals(2, repo.bumpGeneration(db, a.id().key()));
        assertEquals(2, repo.generation(db, a.id().key()));
        assertEquals(0, repo.generation(db, "unknown"));

        HostReport newHost = new HostReport("2.0", "renamed", "Debian", List.of(), List.of("capture", "probe"), List.of("no libpcap"));
        repo.updateHost(db, a.id().key(), newHost, T.plusSeconds(10));
        Vm stored = repo.findVm(db, a.id().key()).orElseThrow();
        assertEquals(newHost, stored.host());
        assertEquals(T.plusSeconds(10), stored.updatedAt());
    }

    @DatabaseTest
    void replaceNics_replacesAllAndKeepsOrder(Database db) {
        Vm a = vm("s", "lab", "vm1");
        Vm b = vm("s", "other", "vm2");
        repo.insertVm(db, a);
        repo.insertVm(db, b);
        Nic eth1 = nic(a, "eth1", 1, false);
        Nic eth0 = nic(a, "eth0", 0, true);
        repo.replaceNics(db, a.id().key(), List.of(eth1, eth0));
        repo.replaceNics(db, b.id().key(), List.of(nic(b, "eth0", 0, true)));

        assertEquals(List.of(eth0, eth1), repo.nicsOf(db, a.id().key()));
        assertEquals(Optional.of(eth1), repo.findNic(db, eth1.id()));
        assertEquals(3, repo.listNics(db, "s", null).size());
        assertEquals(List.of(eth0, eth1), repo.listNics(db, "s", "LAB"));

        Nic only = nic(a, "ens3", 0, true);
        repo.replaceNics(db, a.id().key(), List.of(only));
        assertEquals(List.of(only), repo.nicsOf(db, a.id().key()));
        assertEquals(Optional.empty(), repo.findNic(db, eth1.id()));
    }
}
