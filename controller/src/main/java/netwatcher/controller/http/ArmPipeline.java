package netwatcher.controller.http;

import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.model.agent.ProtocolVersion;

/**
 * What a route's {@link Router.Kind} demands of a request before its handler runs: the caller authenticated
 * (ARM token, admin token or agent credential) and attached, one valid api-version, a body within the size
 * limit and of JSON media type, and the caller authorized for the path's scope. Stateless, thread-safe.
 */
final class ArmPipeline {
    private static final String AGENT_BEARER = "Bearer " + ProtocolVersion.CREDENTIAL_PREFIX;

    private final AccessControl access;
    private final AgentAuthenticator agents;
    private final long maxBodyBytes;

    ArmPipeline(AccessControl access, AgentAuthenticator agents, long maxBodyBytes) {
        this.access = access;
        this.agents = agents;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Runs the checks of {@code kind}, attaching caller and api-version to the exchange; throws the refusal. */
    void admit(Router.Kind kind, JettyExchange ex) {
        switch (kind) {
            case PUBLIC -> { }
            case ARM_METADATA -> {
                requireSingleApiVersion(ex);
                requireApiVersionPresent(ex.query("api-version"));
            }
            case ARM, ARM_DEFERRED_AUTHZ -> {
                Caller caller = armCaller(ex.authorization());
                if (caller.kind() == Caller.Kind.AGENT) {
                    throw ArmErrorCode.AuthorizationFailed.exception("Agent credentials may only be used on the agent protocol routes.");
                }
                ex.attributes().put("caller", caller);
                requireSingleApiVersion(ex);
                // Microsoft.Resources paths (/subscriptions, /tenants) take that provider's older versions.
                ex.attributes().put("apiVersion", ApiVersion.require(ex.query("api-version"),
                        ex.path().contains("/providers/") ? ApiVersion.FIRST : ApiVersion.FIRST_RESOURCES));
                checkBody(ex);
                if (kind == Router.Kind.ARM) access.authorize(caller, ex.method(), ex.path());
            }
            case ADMIN -> {
                Caller caller = access.authenticate(ex.header("Authorization"));
                if (!caller.admin()) {
                    throw ArmErrorCode.AuthorizationFailed.exception("Only the admin token may use the admin routes.");
                }
                ex.attributes().put("caller", caller);
                checkBody(ex);
            }
            case AGENT -> {
                ex.attributes().put("caller", agents.authenticate(ex.header("Authorization")));
            }
        }
    }

    /**
     * Authenticates an ARM caller. A valid agent credential is not a bad token but the wrong
     * one for these routes: 403, as the ARM pipeline promises, rather than 401.
     */
    private Caller armCaller(String header) {
        try {
            return access.authenticate(header);
        } catch (ArmException e) {
            if (e.code() == ArmErrorCode.AuthenticationFailed && header != null
                    && header.strip().regionMatches(true, 0, AGENT_BEARER, 0, AGENT_BEARER.length())) {
                Caller agent;
                try {
                    agent = agents.authenticate(header);
                } catch (ArmException notAnAgent) {
                    throw e;
                }
                if (agent != null) {
                    throw ArmErrorCode.AuthorizationFailed.exception("Agent credentials may only be used on the agent protocol routes.");
                }
            }
            throw e;
        }
    }

    private void checkBody(JettyExchange ex) {
        long length = ex.declaredLength();
        if (length > maxBodyBytes) {
            ex.drain();
            throw ArmErrorCode.RequestEntityTooLarge.exception("The request body is " + length
                    + " bytes; the limit is " + maxBodyBytes + " bytes.");
        }
        boolean hasBody = length > 0 || (length < 0 && ex.header("Transfer-Encoding") != null);
        if (hasBody) InputPolicy.checkJsonMediaType(ex.header("Content-Type"));
    }

    /** One api-version, not two that different readers of the query might pick differently. */
    private static void requireSingleApiVersion(JettyExchange ex) {
        if (ex.queryAll("api-version").size() > 1) {
            throw ArmErrorCode.InvalidApiVersionParameter.exception(
                    "The api-version query parameter is given more than once; give it exactly once.", "api-version");
        }
    }

    /** api-version presence check for routes that accept any date (the metadata endpoint). */
    private static void requireApiVersionPresent(String v) {
        if (v == null || v.isEmpty()) {
            throw ArmErrorCode.MissingApiVersionParameter.exception(
                    "The api-version query parameter (?api-version=) is required for all requests.", "api-version");
        }
        if (!v.matches("\\d{4}-\\d{2}-\\d{2}(-[a-zA-Z]+)?")) {
            throw ArmErrorCode.InvalidApiVersionParameter.exception("The api-version '" + ApiVersion.echo(v) + "' is invalid.", "api-version");
        }
    }
}
