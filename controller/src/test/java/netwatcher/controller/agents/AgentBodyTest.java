package netwatcher.controller.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.model.agent.Reports;
import org.junit.jupiter.api.Test;

/** How the controller reads an agent's body: a wrong-typed property is an ARM error naming the property, never a Java class. */
class AgentBodyTest {

    @Test
    void wrongTypedProperty_namesThePath_notTheRecordClass() {
        byte[] body = "{\"captures\":[{\"key\":\"k\",\"startTime\":\"yesterday\"}]}".getBytes(StandardCharsets.UTF_8);
        ArmException e = assertThrows(ArmException.class, () -> AgentRoutes.parse(body, Reports.class));
        assertEquals(ArmErrorCode.InvalidRequestContent, e.code());
        assertEquals("The body is not a valid Reports: property 'captures[0].startTime' has the wrong type or value.",
                e.error().message());
        assertFalse(e.error().message().contains("netwatcher."), e.error().message());
    }

    @Test
    void aReportsBodyParses() {
        Reports r = AgentRoutes.parse("{\"captures\":[{\"key\":\"k\",\"status\":\"Running\"}]}".getBytes(StandardCharsets.UTF_8),
                Reports.class);
        assertEquals("k", r.captures().getFirst().key());
        assertEquals(0, r.checks().size());
    }
}
