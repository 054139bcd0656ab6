package netwatcher.controller.http;

import netwatcher.arm.ArmException;

/**
 * Authentication and authorization as the ARM pipeline needs them. Implementations are thread-safe.
 */
public interface AccessControl {
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

    /** True when {@code caller} may read anything in the subscription (for subscription lists). */
    boolean canSee(Caller caller, String subscriptionId);
}
