package netwatcher.controller.http;

import java.util.List;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.arm.ArmResourceId;

/**
 * Authentication and authorization as the ARM pipeline needs them. Implementations are thread-safe.
 *
 * <p>Two kinds of authorization, as in ARM (docs/security.md): the pipeline authorizes the
 * request path ({@link #authorize}); a feature that acts on further resources named in the body
 * (a capture's target VM and storage account, a check's VMs) hands all of them, before it looks
 * any up or records anything, to {@link #authorizeReferences}.
 */
public interface AccessControl {
    /** What an operation needs on a resource: to read it (Reader) or to act on it (Contributor). */
    enum Permission { READ, WRITE }

    /**
     * A resource an operation touches besides the one its path names.
     *
     * @param field            the request property that names it (the error's {@code target})
     * @param id               the resource
     * @param permission       what the caller needs on it
     * @param sameSubscription whether it must lie in the operation's subscription
     */
    record Reference(String field, ArmResourceId id, Permission permission, boolean sameSubscription) {
        /** A VM or other resource that must lie in the operation's subscription. */
        public static Reference local(String field, ArmResourceId id, Permission permission) {
            return new Reference(field, id, permission, true);
        }

        /** A resource that may lie in any subscription (a storage account). */
        public static Reference anywhere(String field, ArmResourceId id, Permission permission) {
            return new Reference(field, id, permission, false);
        }

        /**
         * Refuses a reference outside the operation's subscription: 400 InvalidResourceReference.
         * Decided on the id alone, so it says nothing about whether the resource exists.
         */
        public void requireReach(ArmResourceId operation) {
            if (sameSubscription && !id.subscriptionId().equalsIgnoreCase(operation.subscriptionId())) {
                throw ArmErrorCode.InvalidResourceReference.exception("Resource " + id + " referenced by resource " + operation
                        + " is in subscription '" + id.subscriptionId() + "', but resource " + operation
                        + " can only reference resources of its own subscription '" + operation.subscriptionId() + "'.", field);
            }
        }
    }

    /**
     * Resolves the Authorization header to a caller.
     *
     * @throws ArmException 401 AuthenticationFailed / InvalidAuthenticationToken with the reason
     */
    Caller authenticate(String authorizationHeader);

    /**
     * Checks that {@code caller} may perform {@code method} on the resource at {@code path}.
     *
     * @throws ArmException 403 AuthorizationFailed naming the caller, action and scope
     */
    void authorize(Caller caller, String method, String path);

    /**
     * The one check of every resource an operation on {@code operation} references: first each
     * reference's reach ({@link Reference#requireReach}, 400), then the caller's permission on each
     * (403 AuthorizationFailed naming the first one refused, with its field as target). Call before
     * looking the references up, so that a caller without rights learns nothing about them (the
     * answer is the same whether they exist or not), and before any state changes.
     */
    void authorizeReferences(Caller caller, ArmResourceId operation, List<Reference> references);

    /** Whether {@code caller} holds {@code permission} on {@code id} (no exception; for filtering). */
    boolean allows(Caller caller, Permission permission, ArmResourceId id);

    /** True when {@code caller} may read anything in the subscription (for subscription lists). */
    boolean canSee(Caller caller, String subscriptionId);
}
