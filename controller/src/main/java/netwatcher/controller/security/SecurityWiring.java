package netwatcher.controller.security;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.admin.AdminRoutes;
import netwatcher.controller.admin.AdminViews;
import netwatcher.controller.agents.EnrollmentTokens;
import netwatcher.controller.auth.AdminToken;
import netwatcher.controller.auth.AdminTokenRepository;
import netwatcher.controller.auth.IssuerKeys;
import netwatcher.controller.auth.SharedSigningKeys;
import netwatcher.controller.auth.SigningKeyRepository;
import netwatcher.controller.auth.AuthResult;
import netwatcher.controller.auth.Authenticator;
import netwatcher.controller.auth.Authorizer;
import netwatcher.controller.auth.Decision;
import netwatcher.controller.auth.JdbcEnrollmentTokenRepository;
import netwatcher.controller.auth.JdbcRoleAssignmentRepository;
import netwatcher.controller.auth.JdbcServicePrincipalRepository;
import netwatcher.controller.auth.JwtValidator;
import netwatcher.controller.auth.OAuthConfig;
import netwatcher.controller.auth.OAuthIssuer;
import netwatcher.controller.auth.OAuthSigningKey;
import netwatcher.controller.auth.OidcClient;
import netwatcher.controller.auth.OidcProviderConfig;
import netwatcher.controller.auth.TrustedIssuer;
import netwatcher.controller.auth.Principal;
import netwatcher.controller.auth.Role;
import netwatcher.controller.auth.Scope;
import netwatcher.controller.auth.SecurityAdmin;
import netwatcher.controller.auth.TokenResult;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.PublicUrl;
import netwatcher.controller.http.InputPolicy;
import netwatcher.controller.http.Router;

/** Builds and holds the security components of one controller. Thread-safe after {@link #start}. */
public final class SecurityWiring {
    private final AdminToken adminToken;
    private final JdbcServicePrincipalRepository servicePrincipals;
    private final JdbcRoleAssignmentRepository roles;
    private final SecurityAdmin admin;
    private final Authorizer authorizer;
    private final IssuerKeys signingKeys;
    private final Clock clock;
    private final List<TrustedIssuer> oidcIssuers;
    private final Identity identity;
    private volatile OAuthIssuer issuer;
    private volatile Authenticator authenticator;

    /**
     * How the controllers present themselves, the same on every controller of a cluster.
     *
     * @param publicUrl          {@code publicUrl}: the one URL clients use; the canonical token issuer when set, null otherwise
     * @param signingKeyRotation how long one OAuth signing key signs ({@code auth.signingKeyRotationDays}, default 30 days)
     * @param oidcClients        the controller's registrations as a client of OIDC providers, for the console's login
     *                           ({@code auth.oidc.<n>.clientId} / {@code clientSecret}); none by default
     */
    public record Identity(PublicUrl publicUrl, Duration signingKeyRotation, List<OidcClient> oidcClients) {
        public Identity {
            if (signingKeyRotation == null) signingKeyRotation = SharedSigningKeys.DEFAULT_ROTATION;
            oidcClients = oidcClients == null ? List.of() : List.copyOf(oidcClients);
        }

        /** Without OIDC client registrations. */
        public Identity(PublicUrl publicUrl, Duration signingKeyRotation) {
            this(publicUrl, signingKeyRotation, List.of());
        }

        /** No public URL, default rotation. */
        public static Identity defaults() { return new Identity(null, null); }
    }

    /** With the default settings. */
    public SecurityWiring(Path dataDir, Database db, List<OidcProviderConfig> oidcProviders, Clock clock) {
        this(dataDir, db, oidcProviders, Identity.defaults(), clock);
    }

    /**
     * With external OIDC providers: their tokens authenticate {@code provider:subject} principals,
     * which then need role assignments like any other. JWKS are fetched over the JDK's default
     * trust store (or http on loopback). The admin token's hash and the OAuth signing keys live in
     * {@code db}, so every controller on one database accepts what any of them issued (an existing
     * data directory's token and key are taken over on first start).
     */
    public SecurityWiring(Path dataDir, Database db, List<OidcProviderConfig> oidcProviders, Identity identity, Clock clock) {
        this.clock = clock;
        this.identity = identity;
        HttpClient jwksHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.oidcIssuers = oidcProviders.stream().map(p -> TrustedIssuer.oidc(p, jwksHttp, clock)).toList();
        this.adminToken = AdminToken.establish(dataDir, new AdminTokenRepository(db, clock), db.config().embedded());
        this.servicePrincipals = new JdbcServicePrincipalRepository(db);
        this.roles = new JdbcRoleAssignmentRepository(db, clock);
        this.admin = new SecurityAdmin(servicePrincipals, roles, new JdbcEnrollmentTokenRepository(db, clock), clock);
        this.authorizer = new Authorizer(roles);
        this.signingKeys = SharedSigningKeys.open(new SigningKeyRepository(db), identity.signingKeyRotation(), clock,
                OAuthSigningKey.legacy(dataDir));
    }

    /**
     * Completes the wiring once the port is known (issuer URLs name it). With a public URL, that URL is the
     * canonical issuer ({@code iss} of every token, whichever controller issued it); the local names stay
     * accepted as audiences and issuers.
     */
    public void start(int port) {
        OAuthConfig local = OAuthConfig.forPort(port, List.of("127.0.0.1", "localhost", "::1", "198.19.255.1", hostName()));
        List<String> bases = new java.util.ArrayList<>();
        if (identity.publicUrl() != null) bases.add(identity.publicUrl().value());
        bases.addAll(local.baseUrls());
        OAuthIssuer i = new OAuthIssuer(new OAuthConfig(bases, null, null, null), signingKeys, servicePrincipals, clock);
        this.issuer = i;
        List<TrustedIssuer> trusted = new java.util.ArrayList<>();
        trusted.add(i.trustedIssuer());
        trusted.addAll(oidcIssuers);
        this.authenticator = new Authenticator(adminToken, new JwtValidator(trusted, clock), servicePrincipals, List.of());
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    public Path adminTokenFile() { return adminToken.file(); }

    /** The admin token; fails (naming the file to copy) on a controller that shares a database's token without holding it. */
    public String adminToken() { return adminToken.value(); }

    /** Whether this controller holds the admin token itself, not only its hash. */
    public boolean adminTokenKnown() { return adminToken.known(); }

    /**
     * The admin token may have changed in the database (another controller rotated it: PostgreSQL {@code NOTIFY} on
     * {@link AdminTokenRepository#CHANGED_CHANNEL}): the next check reads its hash again. A hint; without it the
     * check re-reads after {@link AdminToken#MAX_STALENESS} anyway.
     */
    public void adminTokenChanged() { adminToken.invalidate(); }

    /** Reads the admin token's stored hashes ahead of the requests that check it ({@link AdminToken#refreshAhead}). */
    public void refreshAdminTokenAhead() { adminToken.refreshAhead(); }

    public SecurityAdmin admin() { return admin; }

    public AccessControl access() { return access; }

    private static Caller toCaller(Principal p) {
        return new Caller(p.id(), Caller.Kind.valueOf(p.kind().name()), p.displayName(), null);
    }

    /** Reading needs Reader; acting on a resource (capturing on it, probing from it, writing to it) needs Contributor. */
    private static Role role(AccessControl.Permission permission) {
        return switch (permission) {
            case READ -> Role.READER;
            case WRITE -> Role.CONTRIBUTOR;
        };
    }

    private static Principal toPrincipal(Caller c) {
        return new Principal(c.id(), Principal.Kind.valueOf(c.kind().name()), c.name());
    }

    private final AccessControl access = new AccessControl() {
        @Override
        public Caller authenticate(String header) {
            Authenticator a = authenticator;
            if (a == null) throw ArmErrorCode.ServiceUnavailable.exception("The controller is starting.");
            AuthResult r = a.authenticate(header);
            return switch (r) {
                case AuthResult.Success s -> toCaller(s.principal());
                case AuthResult.Failure f -> throw ArmErrorCode.AuthenticationFailed.exception(f.message());
            };
        }

        @Override
        public void authorize(Caller caller, String method, String path) {
            if (caller.admin()) return;
            Principal p = toPrincipal(caller);
            Decision d = authorizer.check(p, method, path);
            if (!d.allowed()) throw ArmErrorCode.AuthorizationFailed.exception(d.armMessage(p, method, path));
        }

        @Override
        public void authorizeReferences(Caller caller, ArmResourceId operation, List<AccessControl.Reference> references) {
            for (AccessControl.Reference r : references) r.requireReach(operation);
            if (caller.admin()) return;
            Principal p = toPrincipal(caller);
            for (AccessControl.Reference r : references) {
                Decision d = authorizer.check(p, role(r.permission()), r.id());
                if (!d.allowed()) {
                    throw ArmErrorCode.AuthorizationFailed.exception(d.linkedMessage(p, operation.toString(), r.id().toString(), r.field()),
                            r.field());
                }
            }
        }

        @Override
        public boolean allows(Caller caller, AccessControl.Permission permission, ArmResourceId id) {
            return caller.admin() || authorizer.check(toPrincipal(caller), role(permission), id).allowed();
        }

        @Override
        public boolean canSee(Caller caller, String subscriptionId) {
            return caller.admin() || authorizer.canSeeSubscription(toPrincipal(caller), subscriptionId);
        }
    };

    /** Enrollment tokens for agents: tokens the admin created, or the admin token itself (used by {@code nw up}). */
    public EnrollmentTokens enrollmentTokens() {
        return (token, subscriptionId, resourceGroup) -> {
            if (adminToken.matches(token)) return Optional.of(new EnrollmentTokens.Grant(null, null));
            return switch (admin.redeemEnrollmentToken(token, subscriptionId, resourceGroup)) {
                case SecurityAdmin.Redemption.Accepted a -> Optional.of(new EnrollmentTokens.Grant(
                        a.token().subscriptionId(), a.token().resourceGroup()));
                case SecurityAdmin.Redemption.Rejected r -> Optional.empty();
            };
        };
    }

    /** Registers the OAuth2 endpoints and the admin API. */
    public void register(Router router, Consumer<String> listen) {
        router.add("GET", "/adfs/.well-known/openid-configuration", Router.Kind.PUBLIC,
                (ex, v) -> ex.json(200, issuer.discovery(ex.baseUrl()).toJson()));
        // az login --tenant NAME resolves a tenant name through {activeDirectory}/{NAME}/.well-known/openid-configuration
        // and takes the tenant from the issuer; ADFS has one tenant, "adfs", so the only name it resolves is that one.
        router.add("GET", "/adfs/adfs/.well-known/openid-configuration", Router.Kind.PUBLIC,
                (ex, v) -> ex.json(200, issuer.discovery(ex.baseUrl()).toJson()));
        router.add("GET", "/adfs/discovery/keys", Router.Kind.PUBLIC, (ex, v) -> ex.json(200, issuer.keys()));
        router.add("POST", "/adfs/oauth2/token", Router.Kind.PUBLIC, this::token);
        router.add("POST", "/{tenant}/oauth2/token", Router.Kind.PUBLIC, this::token);
        router.add("POST", "/{tenant}/oauth2/v2.0/token", Router.Kind.PUBLIC, this::token);

        router.add("POST", "/admin/v1/enrollmentTokens", Router.Kind.ADMIN, (ex, v) -> {
            ArmBody b = ArmBody.root(AdminRoutes.bodyOrEmpty(ex));
            var created = admin.createEnrollmentToken(b.string("subscriptionId"), b.string("resourceGroup"),
                    Duration.ofSeconds(b.integer("expiresInSeconds", 60, 365L * 86400, 86400)), (int) b.integer("maxUses", 1, 1_000_000, 100));
            ex.json(201, AdminViews.createdEnrollmentToken(created));
        });
        router.add("GET", "/admin/v1/enrollmentTokens", Router.Kind.ADMIN, (ex, v) -> ex.json(200, Exchange.list(
                admin.listEnrollmentTokens().stream().map(AdminViews::enrollmentToken).toList())));
        router.add("DELETE", "/admin/v1/enrollmentTokens/{id}", Router.Kind.ADMIN, (ex, v) -> {
            if (!admin.revokeEnrollmentToken(v.get("id"))) {
                throw ArmErrorCode.NotFound.exception("No enrollment token with id '" + v.get("id") + "'.");
            }
            ex.empty(204);
        });
        router.add("POST", "/admin/v1/servicePrincipals", Router.Kind.ADMIN, (ex, v) -> {
            ArmBody b = ArmBody.root(AdminRoutes.bodyOrEmpty(ex));
            var created = admin.createServicePrincipal(b.string("displayName").orElse("service principal"));
            ex.json(201, AdminViews.createdServicePrincipal(created));
        });
        router.add("GET", "/admin/v1/servicePrincipals", Router.Kind.ADMIN, (ex, v) -> ex.json(200, Exchange.list(
                admin.listServicePrincipals().stream().map(AdminViews::servicePrincipal).toList())));
        router.add("DELETE", "/admin/v1/servicePrincipals/{id}", Router.Kind.ADMIN, (ex, v) -> {
            UUID clientId = AdminRoutes.clientId(v.get("id"));
            if (!admin.revokeServicePrincipal(clientId)) {
                throw ArmErrorCode.NotFound.exception("No service principal with client id '" + clientId + "'.");
            }
            ex.empty(204);
        });
        router.add("POST", "/admin/v1/roleAssignments", Router.Kind.ADMIN, (ex, v) -> {
            ArmBody b = ArmBody.root(ex.body(1 << 16));
            Role role;
            try {
                role = Role.of(b.requireString("role"));
            } catch (IllegalArgumentException e) {
                throw b.badValue("role", "must be Reader, Contributor or Owner");
            }
            String principalId = b.requireString("principalId");
            String scope = b.requireString("scope");
            try {
                scope = Scope.parse(scope).path();
            } catch (IllegalArgumentException e) {
                throw b.badValue("scope", "must be /subscriptions/{subscriptionId} or /subscriptions/{subscriptionId}/resourceGroups/{name}; was '" + scope + "'");
            }
            try {
                ex.json(201, AdminViews.roleAssignment(admin.assignRole(principalId, role, scope)));
            } catch (IllegalArgumentException e) {
                throw b.badValue("principalId", e.getMessage());
            }
        });
        router.add("GET", "/admin/v1/roleAssignments", Router.Kind.ADMIN,
                (ex, v) -> ex.json(200, Exchange.list(admin.listRoleAssignments(Optional.ofNullable(ex.query("principalId")))
                        .stream().map(AdminViews::roleAssignment).toList())));
        router.add("DELETE", "/admin/v1/roleAssignments/{id}", Router.Kind.ADMIN, (ex, v) -> {
            if (!admin.removeRoleAssignment(v.get("id"))) {
                throw ArmErrorCode.NotFound.exception("No role assignment with id '" + v.get("id") + "'.");
            }
            ex.empty(204);
        });
        router.add("POST", "/admin/v1/adminToken/rotate", Router.Kind.ADMIN, (ex, v) -> {
            ArmBody b = ArmBody.root(AdminRoutes.bodyOrEmpty(ex));
            Duration grace = Duration.ofSeconds(b.integer("graceSeconds", 0, AdminToken.MAX_GRACE.toSeconds(), 0));
            ex.setHeader("Cache-Control", "no-store");
            ex.json(200, AdminViews.rotatedAdminToken(adminToken.rotate(grace)));
        });
        router.add("POST", "/admin/v1/listeners", Router.Kind.ADMIN, (ex, v) -> {
            ArmBody b = ArmBody.root(ex.body(1 << 16));
            listen.accept(b.requireString("address"));
            ex.empty(204);
        });
    }

    /**
     * {@code POST .../oauth2/token}. Every failure, the edge's own included (a body too large, a form
     * that is not validly encoded), is answered in RFC 6749's shape, never ARM's: OAuth clients read
     * {@code error} and {@code error_description}.
     */
    private void token(Exchange ex, Map<String, String> vars) {
        ex.setHeader("Cache-Control", "no-store");
        ex.setHeader("Pragma", "no-cache");
        Map<String, String> form;
        try {
            String type = ex.header("Content-Type");
            if (type != null && !type.split(";", 2)[0].strip().equalsIgnoreCase("application/x-www-form-urlencoded")) {
                oauthError(ex, 400, "The token request must be sent as application/x-www-form-urlencoded.");
                return;
            }
            form = InputPolicy.form(ex.body(1 << 16));
        } catch (ArmException e) {
            oauthError(ex, e.status() == 413 ? 413 : 400, e.error().message());
            return;
        }
        TokenResult r = issuer.token(ex.baseUrl(), form, ex.header("Authorization"));
        r.headers().forEach(ex::setHeader);
        ex.json(r.httpStatus(), r.body());
    }

    private static void oauthError(Exchange ex, int status, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "invalid_request");
        body.put("error_description", description);
        ex.json(status, body);
    }
}
