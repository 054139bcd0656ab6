package netwatcher.arm;

/** ARM's {@code provisioningState} of a resource; the constants are the wire values. */
public enum ProvisioningState {
    /** The resource is being created or changed (a packet capture until its agent took it). */
    Updating,
    /** The resource exists as asked. */
    Succeeded,
    /** The resource is being deleted. */
    Deleting,
    /** The resource could not be made as asked. */
    Failed
}
