package netwatcher.controller.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;

/**
 * An address has one owner per subscription: a host report naming an address another VM registered first
 * keeps the report but not that address. The owners are looked up by the reported addresses only (not by
 * reading every NIC of the subscription), on embedded H2 and a real PostgreSQL.
 */
class ForeignAddressTest {
    final Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static HostReport host(String... addresses) {
        return new HostReport("1.0", "h", "Debian", List.of(new NicReport("eth0", "02:00:00:00:00:01", List.of(addresses), true)),
                List.of("capture"), List.of());
    }

    private static List<String> addressesOf(List<Nic> nics) {
        return nics.stream().flatMap(n -> n.addresses().stream()).toList();
    }

    private Vm vm(ComputeService compute, String sub, String name) {
        ArmResourceId id = ComputeService.vmId(sub, "rg", name);
        return compute.database().inTransaction(h -> compute.ensureVm(h, id, "westeurope"));
    }

    @DatabaseTest
    void anAddressAnotherVmRegistered_isDropped_andNamedInTheProblems(Database db) {
        ComputeService compute = new ComputeService(db, new ComputeRepository(), clock);
        Vm a = vm(compute, "s", "vm-a");
        Vm b = vm(compute, "s", "vm-b");
        compute.registerHost(a.id().key(), host("198.18.1.10/24", "2001:2::10/64"));

        // same IPv4, and the same IPv6 in another text: both taken; a neighbour address (prefix of the text) is not
        List<Nic> nics = compute.registerHost(b.id().key(), host("198.18.1.10/16", "2001:2:0:0::10/64", "198.18.1.1/24", "98.18.1.10/24"));

        assertEquals(List.of("198.18.1.1/24", "98.18.1.10/24"), addressesOf(nics));
        List<String> problems = compute.findVm(b.id()).orElseThrow().host().problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("198.18.1.10/16") && problems.get(0).contains("vm-a"), problems.toString());
        assertTrue(problems.get(1).contains("2001:2:0:0::10/64") && problems.get(1).contains("vm-a"), problems.toString());
    }

    @DatabaseTest
    void aVmKeepsItsOwnAddresses_andOtherSubscriptionsDoNotCount(Database db) {
        ComputeService compute = new ComputeService(db, new ComputeRepository(), clock);
        Vm a = vm(compute, "s", "vm-a");
        Vm other = vm(compute, "t", "vm-x");
        compute.registerHost(other.id().key(), host("198.18.1.10/24", "2001:2::10/64"));
        compute.registerHost(a.id().key(), host("198.18.1.10/24", "2001:2::10/64"));

        List<Nic> again = compute.registerHost(a.id().key(), host("198.18.1.10/24", "2001:2::10/64"));

        assertEquals(List.of("198.18.1.10/24", "2001:2::10/64"), addressesOf(again));
        assertEquals(List.of(), compute.findVm(a.id()).orElseThrow().host().problems());
    }

    @DatabaseTest
    void nicsMayHold_readsOnlyTheNicsThatCanHoldAReportedAddress(Database db) {
        ComputeService compute = new ComputeService(db, new ComputeRepository(), clock);
        Vm a = vm(compute, "s", "vm-a");
        Vm b = vm(compute, "s", "vm-b");
        Vm c = vm(compute, "s", "vm-c");
        compute.registerHost(a.id().key(), host("198.18.1.10/24"));
        compute.registerHost(b.id().key(), host("198.18.2.10/24", "2001:2::20/64"));
        compute.registerHost(c.id().key(), host("198.18.3.10/24"));
        ComputeRepository repo = compute.repository();

        assertEquals(List.of("198.18.1.10/24"), addressesOf(repo.nicsMayHold(db, "S", c.id().key(), List.of("198.18.1.10"), false)));
        assertEquals(List.of(), repo.nicsMayHold(db, "s", a.id().key(), List.of("198.18.1.10"), false));
        assertEquals(List.of(), repo.nicsMayHold(db, "s", c.id().key(), List.of("198.18.1.1"), false));
        assertEquals(List.of("198.18.2.10/24", "2001:2::20/64"), addressesOf(repo.nicsMayHold(db, "s", c.id().key(), List.of(), true)));
        assertEquals(List.of(), repo.nicsMayHold(db, "s", c.id().key(), List.of(), false));
    }
}
