package netwatcher.controller.connectivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.function.Supplier;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmException;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.FuzzFindings;
import netwatcher.model.check.ProbeSpec;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the connectivityCheck, ipFlowVerify and nextHop body parsers with the same bytes. The only
 * allowed failure is an {@link ArmException} with a clean message; an accepted request must name a
 * VM, ports in 0-65535 and enum values from the reference. Seeds: {@code CheckRequestParserFuzzTestInputs/checkRequest}.
 */
@Tag("fuzz")
class CheckRequestParserFuzzTest {
    private static final ApiVersion VERSION = ApiVersion.require("2024-05-01");

    @FuzzTest(maxDuration = "20s")
    void checkRequest(byte[] input) {
        CheckRequest c = attempt(input, () -> CheckRequestParser.connectivity(input, VERSION));
        if (c != null) {
            vm(c.sourceVm());
            port(c.sourcePort());
            port(c.destinationPort());
            assertTrue(c.destinationVm() != null || c.destinationAddress() != null);
            if (c.destinationVm() != null) vm(c.destinationVm());
            assertTrue(List.of("Tcp", "Http", "Https", "Icmp").contains(c.protocol()), c.protocol());
            ProbeSpec.Http http = c.http();
            if (http != null) {
                for (ProbeSpec.Header h : http.headers()) {
                    assertTrue(h.value().chars().noneMatch(ch -> ch == '\r' || ch == '\n'));
                }
                for (int code : http.validStatusCodes()) assertTrue(100 <= code && code <= 599);
            }
        }
        CheckRequest v = attempt(input, () -> CheckRequestParser.ipFlowVerify(input));
        if (v != null) {
            vm(v.sourceVm());
            port(v.localPort());
            port(v.destinationPort());
            assertTrue(v.direction().equals("Inbound") || v.direction().equals("Outbound"));
            assertTrue(v.protocol().equals("TCP") || v.protocol().equals("UDP"));
            assertEquals(v.localAddress(), CheckRequestParser.ip(v.localAddress(), "x"));
        }
        CheckRequest n = attempt(input, () -> CheckRequestParser.nextHop(input));
        if (n != null) {
            vm(n.sourceVm());
            assertNotNull(n.localAddress());
            assertEquals(n.destinationAddress(), CheckRequestParser.ip(n.destinationAddress(), "x"));
        }
    }

    private static CheckRequest attempt(byte[] input, Supplier<CheckRequest> parse) {
        try {
            return parse.get();
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
            return null;
        }
    }

    private static void vm(String id) {
        assertTrue(ArmResourceId.parse(id, "x").isType("Microsoft.Compute/virtualMachines"), id);
    }

    private static void port(int port) {
        assertTrue(0 <= port && port <= 65535, "port " + port);
    }
}
