package netwatcher.controller.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;

/**
 * Agents that join scale set {@value #SCALE_SET} (resource group {@code lab}, region {@code westeurope}): each registers
 * its VM and reports its host, one capture-capable {@code eth0} with the given address, as an instance of the set.
 */
public final class ScaleSetAgents {
    public static final String SCALE_SET = "webss";

    private ScaleSetAgents() {}

    /**
     * Joins VM {@code name} ({@code webN}) with {@code address} (a CIDR from 198.18.0.0/15) to the scale set on {@code c}; its
     * MAC, {@code 02:00:00:00:TT:N0}, takes TT from the address's third octet, so each test's hosts keep their own MACs.
     */
    public static TestAgent join(TestController c, String name, String address) throws Exception {
        TestAgent agent = new TestAgent(c, "lab", name, "westeurope", List.of(address));
        String thirdOctet = address.split("[./]")[2];
        String mac = "02:00:00:00:%02d:%s0".formatted(Integer.parseInt(thirdOctet), name.substring(3));
        var r = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", name, "Debian",
                List.of(new NicReport("eth0", mac, List.of(address), true)), List.of("capture"),
                List.of(), List.of(), SCALE_SET)), agent.bearer());
        assertEquals(200, r.status(), r.body());
        return agent;
    }
}
