package netwatcher.controller.agents;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.function.Supplier;
import netwatcher.arm.ArmException;
import netwatcher.controller.FuzzFindings;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.check.CheckReport;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes how the controller reads agent bodies (the JSON to record path of {@link AgentRoutes}):
 * the same bytes as a {@link Reports} (POST /reports), a {@link HostReport} (PUT /host) and an
 * {@link EnrollRequest}. The only allowed failure is an {@link ArmException} with a clean message;
 * an accepted record never holds a null list. Seeds: {@code AgentReportFuzzTestInputs/agentBody}.
 */
@Tag("fuzz")
class AgentReportFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void agentBody(byte[] input) {
        Reports reports = attempt(input, () -> AgentRoutes.parse(input, Reports.class));
        if (reports != null) {
            assertNotNull(reports.captures());
            assertNotNull(reports.checks());
            reports.captures().forEach(c -> assertNotNull(c.errors()));
            for (CheckReport r : reports.checks()) {
                assertNotNull(r.hops());
                assertNotNull(r.findings());
                r.hops().forEach(h -> assertNotNull(h.rttMs()));
                r.findings().forEach(f -> assertNotNull(f.context()));
                if (r.probes() != null) assertNotNull(r.probes().outcomes());
            }
        }
        HostReport host = attempt(input, () -> AgentRoutes.parse(input, HostReport.class));
        if (host != null) {
            assertNotNull(host.nics());
            assertNotNull(host.capabilities());
            host.nics().forEach(n -> assertNotNull(n.addresses()));
        }
        attempt(input, () -> AgentRoutes.parse(input, EnrollRequest.class));
    }

    private static <T> T attempt(byte[] input, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
            return null;
        }
    }
}
