package netwatcher.controller.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * TLS settings of the controller, validated on construction (each failure names the setting).
 *
 * @param certificateFile {@code tls.certificateFile}: PEM chain (leaf first) to serve instead of the
 *     generated certificate; empty (default) to generate. Must be given together with {@code keyFile}.
 * @param keyFile {@code tls.keyFile}: unencrypted PEM private key for {@code certificateFile}
 * @param extraSubjectAltNames {@code tls.extraSubjectAltNames}: further DNS names or IP literals the
 *     generated certificate must carry (default none)
 * @param hostName {@code tls.hostName}: the host name put into the certificate; empty (default)
 *     detects it from the operating system
 * @param validity {@code tls.validity}: lifetime of a generated server certificate (default 397 days,
 *     the longest that browsers accept)
 * @param renewBefore {@code tls.renewBefore}: re-issue when the certificate expires within this
 *     (default 30 days)
 */
public record TlsConfig(Optional<Path> certificateFile, Optional<Path> keyFile, List<String> extraSubjectAltNames,
                        Optional<String> hostName, Duration validity, Duration renewBefore) {
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(397);
    public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(30);

    public TlsConfig {
        certificateFile = certificateFile == null ? Optional.empty() : certificateFile;
        keyFile = keyFile == null ? Optional.empty() : keyFile;
        hostName = hostName == null ? Optional.empty() : hostName.filter(name -> !name.isBlank());
        extraSubjectAltNames = extraSubjectAltNames == null ? List.of() : List.copyOf(extraSubjectAltNames);
        validity = validity == null ? DEFAULT_VALIDITY : validity;
        renewBefore = renewBefore == null ? DEFAULT_RENEW_BEFORE : renewBefore;
        if (certificateFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("tls.certificateFile and tls.keyFile must be given together");
        }
        for (String name : extraSubjectAltNames) {
            if (name == null || name.isBlank() || name.contains(" ") || name.contains("/")) {
                throw new IllegalArgumentException("tls.extraSubjectAltNames: not a DNS name or IP address: '" + name + "'");
            }
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("tls.validity must be positive, was " + validity);
        }
        if (renewBefore.isNegative() || renewBefore.compareTo(validity) >= 0) {
            throw new IllegalArgumentException("tls.renewBefore must be between 0 and tls.validity, was " + renewBefore);
        }
    }

    /** Generate everything, no extra names: the default. */
    public static TlsConfig defaults() {
        return new TlsConfig(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), null, null);
    }

    /** The defaults plus extra subjectAltNames. */
    public static TlsConfig withExtraNames(List<String> extraSubjectAltNames) {
        return new TlsConfig(Optional.empty(), Optional.empty(), extraSubjectAltNames, Optional.empty(), null, null);
    }

    /** Serve a user-supplied certificate chain and key. */
    public static TlsConfig userSupplied(Path certificateFile, Path keyFile) {
        return new TlsConfig(Optional.of(certificateFile), Optional.of(keyFile), List.of(), Optional.empty(), null, null);
    }
}
