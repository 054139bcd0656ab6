package netwatcher.controller.compute;

import java.time.Instant;
import netwatcher.arm.ArmResourceId;
import netwatcher.model.agent.HostReport;

/**
 * A registered host.
 *
 * @param generation the desired-state generation agents long-poll on
 * @param host       the agent's last host report (empty lists before the first)
 */
public record Vm(ArmResourceId id, String location, String vmUuid, HostReport host, long generation,
                 Instant createdAt, Instant updatedAt) {}
