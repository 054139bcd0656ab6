package netwatcher.controller.auth;

/**
 * The outcome of {@link Authorizer#check}.
 *
 * @param allowed whether the call may proceed
 * @param required the role the call needs ({@code null} when no role can grant it, e.g. a write
 *     outside any subscription)
 * @param reason a short explanation for logs and the 403 message
 */
public record Decision(boolean allowed, Role required, String reason) {
    /** ARM's error code for a denied call (HTTP 403). */
    public static final String ARM_CODE = "AuthorizationFailed";

    static Decision allow(Role required, String reason) { return new Decision(true, required, reason); }

    static Decision deny(Role required, String reason) { return new Decision(false, required, reason); }

    /**
     * ARM's 403 message: "The client '{id}' with object id '{id}' does not have authorization to
     * perform action '{METHOD path}' over scope '{path}' or the scope is invalid. ..."
     */
    public String armMessage(Principal principal, String httpMethod, String resourcePath) {
        String path = resourcePath == null ? "" : resourcePath.split("\\?", 2)[0];
        return "The client '" + principal.displayName() + "' with object id '" + principal.id()
                + "' does not have authorization to perform action '" + httpMethod + " " + path
                + "' over scope '" + path + "' or the scope is invalid"
                + (required == null ? "" : " (requires role " + required.displayName() + ")")
                + ". If access was recently granted, please refresh your credentials.";
    }

    /**
     * The 403 message for a resource a request references (ARM's linked access check): names the
     * caller, the referenced resource, the request property that named it and the role it needs.
     */
    public String linkedMessage(Principal principal, String operation, String linkedResource, String field) {
        return "The client '" + principal.displayName() + "' with object id '" + principal.id()
                + "' does not have authorization to use resource '" + linkedResource + "' (property '" + field
                + "') in '" + operation + "'" + (required == null ? "" : ": it needs role " + required.displayName()
                + " on that resource, its resource group or its subscription") + ", or the resource id is invalid."
                + " If access was recently granted, please refresh your credentials.";
    }
}
