/**
 * TLS for the controller, on by default. {@link netwatcher.controller.tls.TlsSetup} makes sure the
 * data directory holds a CA ({@code tls/ca.pem}) and a server certificate ({@code tls/server.pem},
 * {@code tls/server-key.pem}) whose subjectAltNames cover every address clients and lab agents use
 * (loopback, the host name, the lab management address 198.19.255.1, configured extras); it
 * re-issues the certificate when a name is missing or it is about to expire, and hands the HTTP
 * server a ready {@link javax.net.ssl.SSLContext} plus the CA path to print. A user-supplied
 * certificate and key replace the generated pair untouched.
 */
package netwatcher.controller.tls;
