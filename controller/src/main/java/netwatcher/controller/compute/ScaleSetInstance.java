package netwatcher.controller.compute;

import java.time.Instant;
import netwatcher.arm.ArmResourceId;

/**
 * A VM as an instance of a scale set.
 *
 * @param scaleSetId the scale set ({@code .../Microsoft.Compute/virtualMachineScaleSets/NAME})
 * @param instanceId the instance id, unique in the set ({@code 0}, {@code 1}, ...)
 * @param vmKey      the member VM's key
 * @param setUuid    the scale set's {@code uniqueId} (the one of its first instance's row: stable while the set exists)
 */
public record ScaleSetInstance(ArmResourceId scaleSetId, int instanceId, String vmKey, String setUuid, Instant joinedAt) {
    /** The instance's ARM id, {@code .../virtualMachineScaleSets/NAME/virtualMachines/ID}. */
    public String armId() {
        return scaleSetId + "/virtualMachines/" + instanceId;
    }

    /** The instance's name as Azure gives it, {@code NAME_ID}. */
    public String name() {
        return scaleSetId.name() + "_" + instanceId;
    }
}
