package dev.shardflow.capture.debezium;

import dev.shardflow.core.config.PemCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A PKCS12 trust store made from a PEM certificate file, for the one client that takes no PEM: Debezium's binlog
 * reader of a MariaDB source whose JDBC URL trusts the server by {@code serverSslCert}. It lives in a temporary file
 * of its own, deleted when the process ends, with a random password that is never printed.
 */
record PemTrustStore(Path path, String password) {

    static PemTrustStore of(String pemFile) {
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            var store = PemCertificates.trustStore(Path.of(pemFile));
            Path path = Files.createTempFile("shardflow-capture-trust-", ".p12");
            path.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(path)) {
                store.store(out, password.toCharArray());
            }
            return new PemTrustStore(path, password);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("serverSslCert: " + e.getMessage(), e);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write a trust store for serverSslCert " + pemFile + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "trust store " + path;
    }
}
