package netwatcher.controller.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /adfs/.well-known/openid-configuration}: what MSAL (az CLI) reads to find
 * the token endpoint. {@link #toJson()} gives the wire names.
 */
public record OpenIdConfiguration(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
                                  List<String> responseTypesSupported, List<String> grantTypesSupported,
                                  List<String> subjectTypesSupported, List<String> idTokenSigningAlgValuesSupported,
                                  List<String> tokenEndpointAuthMethodsSupported, List<String> scopesSupported,
                                  String accessTokenIssuer) {
    public OpenIdConfiguration {
        responseTypesSupported = List.copyOf(responseTypesSupported);
        grantTypesSupported = List.copyOf(grantTypesSupported);
        subjectTypesSupported = List.copyOf(subjectTypesSupported);
        idTokenSigningAlgValuesSupported = List.copyOf(idTokenSigningAlgValuesSupported);
        tokenEndpointAuthMethodsSupported = List.copyOf(tokenEndpointAuthMethodsSupported);
        scopesSupported = List.copyOf(scopesSupported);
    }

    /** The JSON object with OpenID Connect Discovery member names, ready for any JSON writer. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("issuer", issuer);
        json.put("authorization_endpoint", authorizationEndpoint);
        json.put("token_endpoint", tokenEndpoint);
        json.put("jwks_uri", jwksUri);
        json.put("response_types_supported", responseTypesSupported);
        json.put("grant_types_supported", grantTypesSupported);
        json.put("subject_types_supported", subjectTypesSupported);
        json.put("id_token_signing_alg_values_supported", idTokenSigningAlgValuesSupported);
        json.put("token_endpoint_auth_methods_supported", tokenEndpointAuthMethodsSupported);
        json.put("scopes_supported", scopesSupported);
        json.put("access_token_issuer", accessTokenIssuer);
        return json;
    }
}
