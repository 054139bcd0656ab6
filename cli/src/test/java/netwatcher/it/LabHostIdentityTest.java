package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netwatcher.agent.Agent;
import netwatcher.agent.AgentConfig;
import netwatcher.cli.UpCommand;
import netwatcher.lab.LabExtension;
import netwatcher.lab.LabHost;
import netwatcher.lab.Topology;
import netwatcher.lab.Names;
import netwatcher.pki.CertificateAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lab hosts look like hosts, and the lab's plumbing is no host's NIC. On a two-host lab with host
 * names of its own (not the default lab's), each lab VM reports its own host name as
 * {@code osProfile.computerName}; and an agent in the root namespace, as {@code nw up --lab} runs
 * next to the lab, never registers the lab's management veth (which the lab marks
 * {@code netwatcher:ignore}), while it still registers the machine's own interfaces.
 */
@Tag("netns")
class LabHostIdentityTest {
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withTopology(twoHosts()).withAgentsStopped(AGENTS);

    static LabWorld world;

    /** Hosts {@code alpha} and {@code beta} with agents on one segment. */
    static Topology twoHosts() {
        try {
            Path file = Files.createTempFile("nwit-two-hosts-", ".json");
            Files.writeString(file, """
                    {"format": 1, "description": "two agent hosts on one segment",
                     "segments": [ { "name": "seg", "prefixes": ["198.18.40.0/24"] } ],
                     "hosts": [
                       { "name": "alpha", "agent": true,
                         "interfaces": [ { "name": "eth0", "segment": "seg", "addresses": ["198.18.40.10/24"] } ] },
                       { "name": "beta", "agent": true,
                         "interfaces": [ { "name": "eth0", "segment": "seg", "addresses": ["198.18.40.20/24"] } ] } ] }
                    """);
            try {
                return Topology.read(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        // no https service here, so no lab CA yet; the agents are given it as --probe-ca-file
        CertificateAuthority.loadOrCreate(LAB.lab().caCertificate().getParent(), "netwatcher lab CA");
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close();
    }

    @Test
    void labVms_reportTheirOwnHostNames() throws Exception {
        for (LabHost host : world.lab.hosts()) {
            LabWorld.Reply vm = world.send("GET", world.vmId(host.name()) + "?api-version=2024-07-01", null);
            assertEquals(200, vm.status(), vm.body());
            assertEquals(host.name(), vm.json().path("properties").path("osProfile").path("computerName").asText(), vm.body());
            assertEquals(host.name(), world.lab.exec(host.name(), "cat", "/etc/hostname").stdout().strip(),
                    "/etc/hostname inside the host's namespace");
        }
    }

    @Test
    void rootNamespaceAgent_neverRegistersTheLabsManagementVeth() throws Exception {
        String rootLink = Names.rootManagementLink(world.lab.name());
        String linkShow = netwatcher.lab.Commands.run(List.of("ip", "-o", "link", "show", "dev", rootLink)).stdout();
        assertTrue(linkShow.contains("alias netwatcher:ignore"), "the lab marks its root veth: " + linkShow);

        Agent agent = UpCommand.startLocalAgent(world.controller, world.dir);
        try {
            String vm = AgentConfig.hostName().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
            String vmPath = "/subscriptions/" + world.sub + "/resourceGroups/local/providers/Microsoft.Compute/virtualMachines/" + vm;
            JsonNode registered = null;
            for (int i = 0; i < 240 && registered == null; i++) {
                LabWorld.Reply r = world.send("GET", vmPath + "?api-version=2024-07-01", null);
                if (r.status() == 200 && r.json().path("properties").path("networkProfile").path("networkInterfaces").size() > 0) {
                    registered = r.json();
                } else {
                    Thread.sleep(250);
                }
            }
            assertTrue(registered != null, "the root-namespace agent registered VM " + vm);
            LabWorld.Reply nics = world.send("GET", "/subscriptions/" + world.sub
                    + "/resourceGroups/local/providers/Microsoft.Network/networkInterfaces?api-version=2024-07-01", null);
            assertEquals(200, nics.status(), nics.body());
            List<String> names = new ArrayList<>();
            nics.json().path("value").forEach(n -> names.add(n.path("name").asText()));
            assertFalse(names.isEmpty(), "the machine's own interfaces are registered");
            assertFalse(names.contains(vm + "-" + rootLink), "the lab's management veth " + rootLink + " was registered: " + names);
            String controllerAddress = world.lab.controllerAddress();
            assertFalse(nics.body().contains("\"" + controllerAddress + "\""), "the lab's management address was registered: " + nics.body());
        } finally {
            if (agent != null) agent.close();
        }
    }
}
