package netwatcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyTest {

    @Test
    void defaultLab_whenRead_isTheRepositoryExampleFile() {
        Topology fromRepo = Topology.read(Path.of("topologies/default.json"));

        assertEquals(fromRepo, Topology.defaultLab());
    }

    @Test
    void defaultLab_whenInspected_mirrorsTheSeedPath() {
        Topology lab = Topology.defaultLab();

        assertEquals(List.of("app", "fw1", "fw2", "db", "db2", "inet", "web"), lab.hosts().stream().map(Topology.Host::name).toList());
        assertEquals(List.of(true, true, true, true, true, false, false), lab.hosts().stream().map(Topology.Host::agent).toList());
        assertEquals("dbss", lab.host("db").scaleSet());
        assertEquals("dbss", lab.host("db2").scaleSet());
        assertEquals("198.18.3.11", lab.host("db2").primaryIpv4().orElseThrow());
        assertEquals("198.18.1.10", lab.host("app").primaryIpv4().orElseThrow());
        assertEquals("198.18.3.10", lab.host("db").primaryIpv4().orElseThrow());
        assertEquals("198.18.201.10", lab.host("web").primaryIpv4().orElseThrow());
        assertTrue(lab.host("fw2").nftables().getFirst().script().contains("tcp dport 80 counter drop comment \"UserRule_Port80\""));
        assertTrue(lab.host("fw1").forwarding() && lab.host("fw2").forwarding());
        assertEquals("inet", lab.dns().host());
    }

    @Test
    void read_whenWrittenBackAsJson_roundTrips(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.json");
        Files.writeString(file, Topology.defaultLab().toJson());

        assertEquals(Topology.defaultLab(), Topology.read(file));
    }

    @Test
    void read_whenAddressOutsideLabSpace_namesTheField(@TempDir Path dir) throws IOException {
        Path file = write(dir, Topology.defaultLab().toJson().replace("198.18.1.10/24", "10.0.0.10/24"));

        TopologyException error = assertThrows(TopologyException.class, () -> Topology.read(file));

        assertTrue(error.getMessage().contains("interfaces[eth0].addresses"), error.getMessage());
        assertTrue(error.getMessage().contains("10.0.0.10/24 is outside the lab address space"), error.getMessage());
    }

    @Test
    void read_whenIpv6OutsideThe48_isRefused(@TempDir Path dir) throws IOException {
        Path file = write(dir, Topology.defaultLab().toJson().replace("2001:2:0:1::10/64", "2001:2:1::10/64"));

        TopologyException error = assertThrows(TopologyException.class, () -> Topology.read(file));

        assertTrue(error.getMessage().contains("2001:2:1::10/64"), error.getMessage());
    }

    @Test
    void read_whenAddressNotInItsSegment_isRefused(@TempDir Path dir) throws IOException {
        Path file = write(dir, Topology.defaultLab().toJson().replace("198.18.1.10/24", "198.18.9.10/24"));

        TopologyException error = assertThrows(TopologyException.class, () -> Topology.read(file));

        assertTrue(error.getMessage().contains("not inside segment app"), error.getMessage());
    }

    @Test
    void read_whenNftTableLacksPrefix_isRefused(@TempDir Path dir) throws IOException {
        Path file = write(dir, Topology.defaultLab().toJson().replace("\"nw_filter\"", "\"filter\""));

        TopologyException error = assertThrows(TopologyException.class, () -> Topology.read(file));

        assertTrue(error.getMessage().contains("nftables[filter].name"), error.getMessage());
    }

    @Test
    void read_whenSegmentUnknown_namesIt(@TempDir Path dir) throws IOException {
        Path file = write(dir, Topology.defaultLab().toJson().replace("\"segment\" : \"transit\"", "\"segment\" : \"nowhere\""));

        TopologyException error = assertThrows(TopologyException.class, () -> Topology.read(file));

        assertTrue(error.getMessage().contains("no segment named 'nowhere'"), error.getMessage());
    }

    @Test
    void read_whenUnknownField_isRefused(@TempDir Path dir) throws IOException {
        Path file = write(dir, Topology.defaultLab().toJson().replaceFirst("\"format\" : 1", "\"format\" : 1, \"colour\" : \"red\""));

        TopologyException error = assertThrows(TopologyException.class, () -> Topology.read(file));

        assertTrue(error.getMessage().contains("colour"), error.getMessage());
    }

    @Test
    void labSpec_whenLabNameTooLongForInterfaceNames_isRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> LabSpec.of(Path.of("/tmp/x")).withLabName("abcdefghijklm"));

        assertTrue(error.getMessage().contains("labName"), error.getMessage());
    }

    @Test
    void labSpec_whenDefault_controllerIsTheManagementDotOne() {
        LabSpec spec = LabSpec.of(Path.of("/tmp/x"));

        assertEquals("198.19.255.1", spec.controllerAddress());
        assertEquals("https://198.19.255.1:8443", spec.controllerUrl());
    }

    @Test
    void cidr_whenAskedForContainment_honoursPrefixAndFamily() {
        assertTrue(Cidr.LAB_IPV4.contains(Cidr.parse("198.19.255.1")));
        assertFalse(Cidr.LAB_IPV4.contains(Cidr.parse("198.20.0.1")));
        assertTrue(Cidr.LAB_IPV6.contains(Cidr.parse("2001:2:0:1::/64")));
        assertFalse(Cidr.LAB_IPV6.contains(Cidr.parse("2001:2:1::/64")));
        assertFalse(Cidr.LAB_IPV4.contains(Cidr.parse("2001:2::1")));
        assertEquals("2001:2:0:1::10", Cidr.parse("2001:2:0:1:0:0:0:10/64").addressText());
        assertEquals("198.19.255.10", Cidr.text(Cidr.parse("198.19.255.0/24").host(10)));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("web.lab.test"));
    }

    private static Path write(Path dir, String json) throws IOException {
        Path file = dir.resolve("topology.json");
        Files.writeString(file, json);
        return file;
    }
}
