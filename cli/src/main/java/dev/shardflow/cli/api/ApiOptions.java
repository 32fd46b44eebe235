package dev.shardflow.cli.api;

import dev.shardflow.core.config.PemCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/** The options of every command that talks to the topology service. */
public final class ApiOptions {

    @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:SHARDFLOW_API:-http://127.0.0.1:8080}",
            description = "The topology service (default: $SHARDFLOW_API or ${DEFAULT-VALUE}).")
    URI api;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the API's bearer token (default: the variable SHARDFLOW_API_TOKEN).")
    Path tokenFile;

    @Option(names = "--api-ca", paramLabel = "FILE", defaultValue = "${env:SHARDFLOW_API_CA}",
            description = "A PEM certificate (the service's, or its CA's) an https API is trusted by (default: "
                    + "$SHARDFLOW_API_CA, else the JVM's trust store).")
    Path caFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for each answer (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    public ApiClient client() {
        String token = System.getenv("SHARDFLOW_API_TOKEN");
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + " ("
                        + e.getMessage() + ")");
            }
        }
        if (token != null && !token.isBlank() && !token.chars().allMatch(c -> c > ' ' && c < 127)) {
            // never echo it: a token file that holds something else may hold another secret
            throw new IllegalArgumentException((tokenFile != null ? "--token-file: " + tokenFile
                    : "SHARDFLOW_API_TOKEN") + " does not hold a token: a token is one line of printable characters "
                    + "without spaces");
        }
        String base = api.toString().endsWith("/") ? api.toString() : api + "/";
        return new ApiClient(URI.create(base), token == null || token.isBlank() ? null : token,
                Duration.ofSeconds(timeoutSeconds), caFile == null ? null : trusting(caFile));
    }

    /** A TLS context that trusts the certificates of a PEM file and no other. */
    static SSLContext trusting(Path pem) {
        KeyStore store;
        try {
            store = PemCertificates.trustStore(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--api-ca: " + e.getMessage(), e);
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--api-ca: cannot trust " + pem + " (" + e.getMessage() + ")", e);
        }
    }
}
